//! Every numerical tolerance of the crate, in one place.

/// Relative tolerance to which a closed-form figure (Clemens' two-region example, the
/// Harberger triangle) must match its exact value: these are arithmetic, not estimates, so
/// only round-off may separate them.
pub const CLOSED_FORM_RELATIVE: f64 = 1e-9;

/// Relative half-width of the band around a published world real-income gain (World Bank
/// 2006; Anderson, Martin & van der Mensbrugghe 2006; Walmsley & Winters 2005).
pub const WORLD_GAIN_BAND: f64 = 0.15;

/// Relative half-width of the band around a published group split of a World Bank LINKAGE
/// result (new migrants, natives, earlier migrants, developing residents, high-income trade
/// gain); the computed value must also have the published sign.
pub const GROUP_SPLIT_BAND: f64 = 0.35;

/// Relative half-width of the band around the developing countries' gain from full
/// merchandise trade liberalization (86 bn).
pub const DEVELOPING_TRADE_BAND: f64 = 0.25;

/// Relative half-width of the band around the welfare value of a transfer (aid, debt relief):
/// it differs from face value by its terms-of-trade effect and, where what it buys pays duty,
/// by the tariff revenue on it.
pub const TRANSFER_BAND: f64 = 0.10;

/// Relative half-width of the band around Pritchett's (2006) gain to citizens of poor
/// countries (305 bn = new migrants + developing residents).
pub const POOR_CITIZENS_BAND: f64 = 0.15;

/// Relative change below which an iterated quantity (the trade model's trade-responsive
/// productivity) counts as settled.
pub const FIXED_POINT_RELATIVE: f64 = 1e-10;

/// Relative gap to its target at which a one-parameter fit (the trade model's productivity
/// elasticity) stops.
pub const FIT_RELATIVE: f64 = 1e-6;

/// Absolute gap of a share (agriculture's share of the trade gains, a fraction) to its target
/// at which the outer search of the two-channel trade fit stops: a hundredth of a percentage
/// point, well above the noise the inner fit of the world gain
/// ([`FIT_RELATIVE`]) leaves in the share.
pub const SHARE_FIT_ABSOLUTE: f64 = 1e-4;
