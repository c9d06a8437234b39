//! Calibrated CES/CET nest trees stored as flat arrays (struct of arrays), and their
//! evaluation: price indices (E3–E5), Shephard quantities (E7) and the sensitivities the
//! Jacobian needs (E8). Equation numbers refer to `docs/model.md`.
//!
//! Every tree (a sector's inputs, a sector's outputs, a consumer's demand) occupies a
//! contiguous range of *elements* in pre-order, so a parent always precedes its children:
//! a reverse sweep aggregates prices bottom-up, a forward sweep distributes quantities
//! top-down, and nothing is allocated per tree.

use std::ops::Range;

/// Marks "no parent" (a root).
pub(crate) const NONE: usize = usize::MAX;

/// A tax on a leaf. The rate in effect is `rate + slope·z[aux]` when endogenous (`rate` then
/// holds the intercept), `rate` otherwise.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct LeafTax {
    pub rate: f64,
    pub agent: usize,
    pub endogenous: Option<(usize, f64)>,
}

/// One tree: its elements, its leaves and its benchmark value V = Σ leaf q·p̄.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Tree {
    pub elems: Range<usize>,
    pub leaves: Range<usize>,
    pub value: f64,
}

/// All trees of a model.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Forest {
    // Per element (nodes and leaves).
    pub parent: Vec<usize>,
    /// Benchmark value share in the parent (E3).
    pub theta: Vec<f64>,
    /// Elasticity of substitution of a node (−η for a CET node); 0 for leaves.
    pub sigma: Vec<f64>,
    /// Benchmark value (q·p̄ for a leaf, the sum of its children for a node).
    pub value: Vec<f64>,
    /// Leaf index of a leaf element, NONE for a node.
    pub leaf_of: Vec<usize>,
    /// One past the last leaf of the element's subtree (its first leaf is the next leaf pushed
    /// after it: elements and leaves are both in pre-order).
    pub leaf_end: Vec<usize>,
    /// First leaf of the element's subtree.
    pub leaf_start: Vec<usize>,
    // Per leaf.
    pub leaf_elem: Vec<usize>,
    pub commodity: Vec<usize>,
    pub quantity: Vec<f64>,
    pub ref_price: Vec<f64>,
    /// +1 for inputs and demands (user price p(1+t)), −1 for outputs (producer price p(1−t)).
    pub sign: Vec<f64>,
    /// Boxed: most leaves are untaxed, and an evaluation reads this for every leaf (8 bytes
    /// per leaf instead of 40 halves the memory an evaluation of a dense input–output table
    /// streams through).
    pub tax: Vec<Option<Box<LeafTax>>>,
    // Per tree.
    pub trees: Vec<Tree>,
}

/// The state of every tree at one point.
#[derive(Debug, Clone)]
pub(crate) struct TreeState {
    /// Relative price of each leaf (E1, E2).
    pub r: Vec<f64>,
    /// Price index of each element (a leaf's is its relative price).
    pub pi: Vec<f64>,
    /// ∂π_parent/∂π_e = θ_e (π_parent/π_e)^σ_parent for each non-root element.
    pub edge: Vec<f64>,
    /// Π over the path root→e of (π_parent/π_child)^σ_parent; for a leaf its quantity index
    /// X_l (E7).
    pub x: Vec<f64>,
}

/// Mutable views of a [`TreeState`] restricted to consecutive trees: element `e` is at
/// `e - e0`, leaf `l` at `l - l0`.
pub(crate) struct StateBlock<'a> {
    pub e0: usize,
    pub l0: usize,
    pub r: &'a mut [f64],
    pub pi: &'a mut [f64],
    pub edge: &'a mut [f64],
    pub x: &'a mut [f64],
}

impl Forest {
    /// Starts a tree; returns its index.
    pub fn begin_tree(&mut self) -> usize {
        let e = self.parent.len();
        let l = self.leaf_elem.len();
        self.trees.push(Tree {
            elems: e..e,
            leaves: l..l,
            value: 0.0,
        });
        self.trees.len() - 1
    }

    /// Adds a node under `parent` (NONE for the root).
    pub fn push_node(&mut self, parent: usize, sigma: f64) -> usize {
        self.push_elem(parent, sigma, NONE)
    }

    /// Adds a leaf under `parent`.
    pub fn push_leaf(
        &mut self,
        parent: usize,
        commodity: usize,
        quantity: f64,
        ref_price: f64,
        sign: f64,
        tax: Option<LeafTax>,
    ) -> usize {
        let leaf = self.leaf_elem.len();
        let e = self.push_elem(parent, 0.0, leaf);
        self.leaf_elem.push(e);
        self.commodity.push(commodity);
        self.quantity.push(quantity);
        self.ref_price.push(ref_price);
        self.sign.push(sign);
        self.tax.push(tax.map(Box::new));
        self.value[e] = quantity * ref_price;
        e
    }

    fn push_elem(&mut self, parent: usize, sigma: f64, leaf: usize) -> usize {
        self.parent.push(parent);
        self.theta.push(1.0);
        self.sigma.push(sigma);
        self.value.push(0.0);
        self.leaf_of.push(leaf);
        let first_leaf = if leaf == NONE {
            self.leaf_elem.len()
        } else {
            leaf
        };
        self.leaf_start.push(first_leaf);
        self.leaf_end.push(first_leaf);
        self.parent.len() - 1
    }

    /// Closes the last tree: sums values bottom-up and sets the value shares θ.
    ///
    /// Returns the first node whose value is not positive, if any (its shares are undefined).
    pub fn end_tree(&mut self) -> Result<(), usize> {
        let t = self.trees.len() - 1;
        let elems = self.trees[t].elems.start..self.parent.len();
        let leaves = self.trees[t].leaves.start..self.leaf_elem.len();
        for e in elems.clone().rev() {
            if self.leaf_of[e] == NONE && (self.value[e].is_nan() || self.value[e] <= 0.0) {
                return Err(e);
            }
            if self.leaf_of[e] != NONE {
                self.leaf_end[e] = self.leaf_of[e] + 1;
            }
            let p = self.parent[e];
            if p != NONE {
                self.value[p] += self.value[e];
                self.leaf_end[p] = self.leaf_end[p].max(self.leaf_end[e]);
            }
        }
        for e in elems.clone() {
            let p = self.parent[e];
            if p != NONE {
                self.theta[e] = self.value[e] / self.value[p];
            }
        }
        self.trees[t].value = self.value[elems.start];
        self.trees[t].elems = elems;
        self.trees[t].leaves = leaves;
        Ok(())
    }

    /// A forest with room for parts of the given (elements, leaves) sizes, to be cut by
    /// [`Forest::parts`] and filled in parallel; the trees are set by the caller.
    pub fn with_parts(sizes: &[(usize, usize)]) -> Forest {
        let ne = sizes.iter().map(|s| s.0).sum();
        let nl = sizes.iter().map(|s| s.1).sum();
        let mut tax = Vec::new();
        tax.resize_with(nl, || None);
        Forest {
            parent: vec![0; ne],
            theta: vec![0.0; ne],
            sigma: vec![0.0; ne],
            value: vec![0.0; ne],
            leaf_of: vec![0; ne],
            leaf_end: vec![0; ne],
            leaf_start: vec![0; ne],
            leaf_elem: vec![0; nl],
            commodity: vec![0; nl],
            quantity: vec![0.0; nl],
            ref_price: vec![0.0; nl],
            sign: vec![0.0; nl],
            tax,
            trees: Vec::new(),
        }
    }

    /// The arrays of a forest made by [`Forest::with_parts`], cut by the same sizes (other
    /// sizes are a bug: a total larger than the arrays panics, a smaller one leaves the rest
    /// without a part).
    pub fn parts(&mut self, sizes: &[(usize, usize)]) -> Vec<ForestPart<'_>> {
        let elems: Vec<usize> = sizes.iter().map(|s| s.0).collect();
        let leaves: Vec<usize> = sizes.iter().map(|s| s.1).collect();
        let mut e = split_by(&mut self.parent, &elems)
            .into_iter()
            .zip(split_by(&mut self.theta, &elems))
            .zip(split_by(&mut self.sigma, &elems))
            .zip(split_by(&mut self.value, &elems))
            .zip(split_by(&mut self.leaf_of, &elems))
            .zip(split_by(&mut self.leaf_end, &elems))
            .zip(split_by(&mut self.leaf_start, &elems));
        let mut l = split_by(&mut self.leaf_elem, &leaves)
            .into_iter()
            .zip(split_by(&mut self.commodity, &leaves))
            .zip(split_by(&mut self.quantity, &leaves))
            .zip(split_by(&mut self.ref_price, &leaves))
            .zip(split_by(&mut self.sign, &leaves))
            .zip(split_by(&mut self.tax, &leaves));
        let (mut e0, mut l0) = (0, 0);
        let mut parts = Vec::with_capacity(sizes.len());
        for &(ne, nl) in sizes {
            let (
                Some(((((((parent, theta), sigma), value), leaf_of), leaf_end), leaf_start)),
                Some((((((leaf_elem, commodity), quantity), ref_price), sign), tax)),
            ) = (e.next(), l.next())
            else {
                break;
            };
            parts.push(ForestPart {
                e0,
                l0,
                parent,
                theta,
                sigma,
                value,
                leaf_of,
                leaf_end,
                leaf_start,
                leaf_elem,
                commodity,
                quantity,
                ref_price,
                sign,
                tax,
            });
            e0 += ne;
            l0 += nl;
        }
        parts
    }

    /// Empties the forest, keeping its memory for the next use.
    pub fn clear(&mut self) {
        self.parent.clear();
        self.theta.clear();
        self.sigma.clear();
        self.value.clear();
        self.leaf_of.clear();
        self.leaf_end.clear();
        self.leaf_start.clear();
        self.leaf_elem.clear();
        self.commodity.clear();
        self.quantity.clear();
        self.ref_price.clear();
        self.sign.clear();
        self.tax.clear();
        self.trees.clear();
    }

    /// The tax rate in effect on leaf `l` given the auxiliaries `z` (0 if untaxed).
    pub fn tax_rate(&self, l: usize, z: &[f64]) -> f64 {
        match &self.tax[l] {
            None => 0.0,
            Some(t) => match t.endogenous {
                None => t.rate,
                Some((k, slope)) => t.rate + slope * z[k],
            },
        }
    }

    /// A state of the right shape with harmless values, for emitting the Jacobian pattern.
    pub fn structural_state(&self) -> TreeState {
        TreeState {
            r: vec![1.0; self.leaf_elem.len()],
            pi: vec![1.0; self.parent.len()],
            edge: self.theta.clone(),
            x: vec![1.0; self.parent.len()],
        }
    }

    /// Evaluates every tree at prices `p` and auxiliaries `z` into `st`.
    ///
    /// # Errors
    /// The leaf whose (relative) price is not positive, or not finite, while its parent nest
    /// has a non-zero elasticity (E3 is undefined there; Leontief nests accept zero prices).
    #[cfg(test)]
    pub fn evaluate(&self, p: &[f64], z: &[f64], st: &mut TreeState) -> Result<(), usize> {
        let block = StateBlock {
            e0: 0,
            l0: 0,
            r: &mut st.r,
            pi: &mut st.pi,
            edge: &mut st.edge,
            x: &mut st.x,
        };
        self.evaluate_block(0..self.trees.len(), p, z, block)
    }

    /// Evaluates the consecutive trees `trees` into `block`, which holds their elements and
    /// leaves only. Each tree is evaluated alone and in the same order whatever the blocks, so
    /// the results do not depend on how the forest is split between threads.
    ///
    /// # Errors
    /// As [`Forest::evaluate`].
    pub fn evaluate_block(
        &self,
        trees: Range<usize>,
        p: &[f64],
        z: &[f64],
        block: StateBlock<'_>,
    ) -> Result<(), usize> {
        let StateBlock {
            e0,
            l0,
            r,
            pi,
            edge,
            x,
        } = block;
        let (Some(first), Some(last)) = (self.trees.get(trees.start), trees.end.checked_sub(1))
        else {
            return Ok(());
        };
        let leaves = first.leaves.start..self.trees[last].leaves.end;
        let elems = first.elems.start..self.trees[last].elems.end;
        // E1, E2: relative prices.
        for l in leaves {
            let t = self.tax_rate(l, z);
            let rl = p[self.commodity[l]] * (1.0 + self.sign[l] * t) / self.ref_price[l];
            r[l - l0] = rl;
            pi[self.leaf_elem[l] - e0] = rl;
        }
        // E3, E4: price indices bottom-up. `acc` gathers Σ θ f(π_child) in `x` (reused as
        // scratch before the forward sweep overwrites it).
        for e in elems.clone() {
            if self.leaf_of[e] == NONE {
                x[e - e0] = 0.0;
            }
        }
        for e in elems.clone().rev() {
            if self.leaf_of[e] == NONE {
                let s = self.sigma[e];
                let acc = x[e - e0];
                pi[e - e0] = if s == 0.0 {
                    acc
                } else if s == 1.0 {
                    acc.exp()
                } else {
                    acc.powf(1.0 / (1.0 - s))
                };
            }
            let pe = self.parent[e];
            if pe == NONE || self.theta[e] == 0.0 {
                continue;
            }
            let s = self.sigma[pe];
            let pie = pi[e - e0];
            if s != 0.0 && !(pie > 0.0 && pie.is_finite()) {
                return Err(self.first_leaf_under(e));
            }
            x[pe - e0] += if s == 0.0 {
                self.theta[e] * pie
            } else if s == 1.0 {
                self.theta[e] * pie.ln()
            } else {
                self.theta[e] * pie.powf(1.0 - s)
            };
        }
        // E7: quantity indices and edge derivatives top-down.
        for e in elems {
            let pe = self.parent[e];
            if pe == NONE {
                x[e - e0] = 1.0;
                edge[e - e0] = 1.0;
                continue;
            }
            let s = self.sigma[pe];
            let ratio = if s == 0.0 || self.theta[e] == 0.0 {
                1.0
            } else {
                (pi[pe - e0] / pi[e - e0]).powf(s)
            };
            edge[e - e0] = self.theta[e] * ratio;
            x[e - e0] = x[pe - e0] * ratio;
        }
        Ok(())
    }

    fn first_leaf_under(&self, mut e: usize) -> usize {
        while self.leaf_of[e] == NONE {
            e += 1;
        }
        self.leaf_of[e]
    }

    /// Sensitivities of tree `t` to the relative price of its leaf `m` (E8): writes
    /// dX_l/dr_m for every leaf l in `leaves` (a sub-range of the tree's leaves) into
    /// `dx[l - leaves.start]` and returns ∂π_root/∂r_m. `h` is scratch indexed by element
    /// minus the tree's first element, all zero on entry and on return.
    pub fn sensitivities(
        &self,
        t: usize,
        m: usize,
        st: &TreeState,
        leaves: Range<usize>,
        h: &mut [f64],
        dx: &mut [f64],
    ) -> f64 {
        let e0 = self.trees[t].elems.start;
        // h[e] = ∂ln π_e/∂r_m along the path from m to the root; zero elsewhere.
        let mut e = self.leaf_elem[m];
        let rm = st.r[m];
        h[e - e0] = if rm != 0.0 { 1.0 / rm } else { 0.0 };
        let mut g = 1.0;
        while self.parent[e] != NONE {
            g *= st.edge[e];
            let p = self.parent[e];
            h[p - e0] = if st.pi[p] != 0.0 { g / st.pi[p] } else { 0.0 };
            e = p;
        }
        // d ln X_l/dr_m = Σ over edges (n, c) on l's path of σ_n (h_n − h_c). Terms with
        // σ_n = 0 vanish and are skipped, so zero prices under Leontief nests never divide.
        for l in leaves.clone() {
            let mut s = 0.0;
            let mut c = self.leaf_elem[l];
            while self.parent[c] != NONE {
                let n = self.parent[c];
                if self.sigma[n] != 0.0 {
                    s += self.sigma[n] * (h[n - e0] - h[c - e0]);
                }
                c = n;
            }
            dx[l - leaves.start] = st.x[self.leaf_elem[l]] * s;
        }
        // Clear the path.
        let mut e = self.leaf_elem[m];
        loop {
            h[e - e0] = 0.0;
            if self.parent[e] == NONE {
                break;
            }
            e = self.parent[e];
        }
        g
    }

    /// The leaves of the child of tree `t`'s root that contains leaf `m` (m alone when it is a
    /// child of the root itself).
    pub fn root_child_leaves(&self, t: usize, m: usize) -> Range<usize> {
        let root = self.trees[t].elems.start;
        let mut e = self.leaf_elem[m];
        while self.parent[e] != root && self.parent[e] != NONE {
            e = self.parent[e];
        }
        self.leaf_start[e]..self.leaf_end[e]
    }
}

/// One part of a forest's arrays (see [`Forest::parts`]): its elements start at `e0`, its
/// leaves at `l0`.
pub(crate) struct ForestPart<'a> {
    e0: usize,
    l0: usize,
    parent: &'a mut [usize],
    theta: &'a mut [f64],
    sigma: &'a mut [f64],
    value: &'a mut [f64],
    leaf_of: &'a mut [usize],
    leaf_end: &'a mut [usize],
    leaf_start: &'a mut [usize],
    leaf_elem: &'a mut [usize],
    commodity: &'a mut [usize],
    quantity: &'a mut [f64],
    ref_price: &'a mut [f64],
    sign: &'a mut [f64],
    tax: &'a mut [Option<Box<LeafTax>>],
}

impl ForestPart<'_> {
    /// Copies `local`, a forest compiled on its own, into this part with its indices shifted
    /// (taxes are moved out of it); returns its trees in the whole forest's indices. `Err`
    /// with local's (elements, leaves) when they are not this part's size.
    pub fn fill_from(&mut self, local: &mut Forest) -> Result<Vec<Tree>, (usize, usize)> {
        if local.parent.len() != self.parent.len() || local.leaf_elem.len() != self.leaf_elem.len()
        {
            return Err((local.parent.len(), local.leaf_elem.len()));
        }
        let (e0, l0) = (self.e0, self.l0);
        let shift = |v: usize, by: usize| if v == NONE { NONE } else { v + by };
        for (o, &v) in self.parent.iter_mut().zip(&local.parent) {
            *o = shift(v, e0);
        }
        self.theta.copy_from_slice(&local.theta);
        self.sigma.copy_from_slice(&local.sigma);
        self.value.copy_from_slice(&local.value);
        for (o, &v) in self.leaf_of.iter_mut().zip(&local.leaf_of) {
            *o = shift(v, l0);
        }
        for (o, &v) in self.leaf_end.iter_mut().zip(&local.leaf_end) {
            *o = v + l0;
        }
        for (o, &v) in self.leaf_start.iter_mut().zip(&local.leaf_start) {
            *o = v + l0;
        }
        for (o, &v) in self.leaf_elem.iter_mut().zip(&local.leaf_elem) {
            *o = v + e0;
        }
        self.commodity.copy_from_slice(&local.commodity);
        self.quantity.copy_from_slice(&local.quantity);
        self.ref_price.copy_from_slice(&local.ref_price);
        self.sign.copy_from_slice(&local.sign);
        for (o, t) in self.tax.iter_mut().zip(&mut local.tax) {
            *o = t.take();
        }
        Ok(local
            .trees
            .iter()
            .map(|t| Tree {
                elems: t.elems.start + e0..t.elems.end + e0,
                leaves: t.leaves.start + l0..t.leaves.end + l0,
                value: t.value,
            })
            .collect())
    }
}

/// `v` cut into consecutive slices of the given lengths.
pub(crate) fn split_by<'a, T>(mut v: &'a mut [T], lens: &[usize]) -> Vec<&'a mut [T]> {
    let mut parts = Vec::with_capacity(lens.len());
    for &len in lens {
        let (head, tail) = std::mem::take(&mut v).split_at_mut(len);
        parts.push(head);
        v = tail;
    }
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A two-level tree: top σ_top over (leaf a, nest{σ_sub}(leaf b, leaf c)).
    fn two_level(sigma_top: f64, sigma_sub: f64) -> Forest {
        let mut f = Forest::default();
        f.begin_tree();
        let root = f.push_node(NONE, sigma_top);
        f.push_leaf(root, 0, 2.0, 1.0, 1.0, None);
        let sub = f.push_node(root, sigma_sub);
        f.push_leaf(sub, 1, 1.0, 1.0, 1.0, None);
        f.push_leaf(sub, 2, 3.5, 2.0, 1.0, None);
        f.end_tree().unwrap();
        f
    }

    fn price_index(f: &Forest, p: &[f64]) -> (f64, Vec<f64>) {
        let mut st = f.structural_state();
        f.evaluate(p, &[], &mut st).unwrap();
        let x = f.leaf_elem.iter().map(|&e| st.x[e]).collect();
        (st.pi[0], x)
    }

    /// Pushes a two-level tree like [`two_level`]'s, taxed, into `f`.
    fn push_two_level(f: &mut Forest, sigma: f64, scale: f64) {
        f.begin_tree();
        let root = f.push_node(NONE, sigma);
        f.push_leaf(root, 0, 2.0 * scale, 1.0, 1.0, None);
        let sub = f.push_node(root, 2.0);
        let tax = LeafTax {
            rate: 0.1,
            agent: 0,
            endogenous: None,
        };
        f.push_leaf(sub, 1, 1.0, 1.1, 1.0, Some(tax));
        f.push_leaf(sub, 2, 3.5, 2.0, -1.0, None);
        f.end_tree().unwrap();
    }

    #[test]
    fn a_forest_filled_by_parts_equals_one_pushed_whole() {
        let mut whole = Forest::default();
        for (sigma, scale) in [(0.5, 1.0), (1.0, 2.0), (3.0, 0.5)] {
            push_two_level(&mut whole, sigma, scale);
        }
        let sizes = [(5, 3); 3];
        let mut parted = Forest::with_parts(&sizes);
        let mut trees = Vec::new();
        let mut local = Forest::default();
        for ((sigma, scale), mut part) in [(0.5, 1.0), (1.0, 2.0), (3.0, 0.5)]
            .into_iter()
            .zip(parted.parts(&sizes))
        {
            local.clear();
            push_two_level(&mut local, sigma, scale);
            trees.extend(part.fill_from(&mut local).unwrap());
        }
        parted.trees = trees;
        assert_eq!(parted, whole);
        // A part of the wrong size is refused.
        let mut small = Forest::with_parts(&[(4, 3)]);
        let mut part = small.parts(&[(4, 3)]).pop().unwrap();
        local.clear();
        push_two_level(&mut local, 1.0, 1.0);
        assert_eq!(part.fill_from(&mut local), Err((5, 3)));
    }

    #[test]
    fn shares_and_benchmark_index() {
        let f = two_level(0.5, 2.0);
        assert_eq!(f.trees[0].value, 10.0);
        assert!((f.theta[1] - 0.2).abs() < 1e-15);
        let (pi, x) = price_index(&f, &[1.0, 1.0, 2.0]);
        assert!((pi - 1.0).abs() < 1e-14);
        assert!(x.iter().all(|v| (v - 1.0).abs() < 1e-14));
    }

    #[test]
    fn limits_match_closed_forms() {
        // σ = 1 everywhere: Cobb–Douglas, π = Π r^θ with θ the value shares of the total
        // (0.2, 0.1, 0.7).
        let f = two_level(1.0, 1.0);
        let p = [1.3, 0.7, 2.0 * 1.1];
        let (pi, _) = price_index(&f, &p);
        let expect = 1.3f64.powf(0.2) * 0.7f64.powf(0.1) * 1.1f64.powf(0.7);
        assert!((pi - expect).abs() < 1e-14);
        // σ = 0 everywhere: Leontief, π = Σ θ r, and zero prices are accepted.
        let f = two_level(0.0, 0.0);
        let (pi, x) = price_index(&f, &[0.0, 0.7, 2.2]);
        assert!((pi - (0.1 * 0.7 + 0.7 * 1.1)).abs() < 1e-14);
        assert!(x.iter().all(|v| *v == 1.0));
    }

    #[test]
    fn subtree_leaf_ranges() {
        let f = two_level(0.5, 2.0);
        assert_eq!((f.leaf_start[0], f.leaf_end[0]), (0, 3));
        assert_eq!((f.leaf_start[2], f.leaf_end[2]), (1, 3));
        assert_eq!(f.root_child_leaves(0, 0), 0..1);
        assert_eq!(f.root_child_leaves(0, 2), 1..3);
    }

    #[test]
    fn ces_rejects_zero_price() {
        let f = two_level(0.5, 2.0);
        let mut st = f.structural_state();
        assert_eq!(f.evaluate(&[1.0, 0.0, 1.0], &[], &mut st), Err(1));
    }

    #[test]
    fn shephard_quantities_are_price_index_derivatives() {
        // ∂π_root/∂r_l = θ-path product · X_l, checked by central differences.
        let f = two_level(0.5, 2.0);
        let p = [1.2, 0.8, 2.5];
        let mut h = vec![0.0; f.parent.len()];
        let mut dx = vec![0.0; 3];
        let mut st = f.structural_state();
        f.evaluate(&p, &[], &mut st).unwrap();
        for m in 0..3 {
            let g = f.sensitivities(0, m, &st, 0..3, &mut h, &mut dx);
            let step = 1e-6;
            let mut pp = p;
            pp[m] += step * f.ref_price[m];
            let (up, xu) = price_index(&f, &pp);
            pp[m] -= 2.0 * step * f.ref_price[m];
            let (dn, xd) = price_index(&f, &pp);
            assert!((g - (up - dn) / (2.0 * step)).abs() < 1e-8, "leaf {m}");
            for l in 0..3 {
                let fd = (xu[l] - xd[l]) / (2.0 * step);
                assert!(
                    (dx[l] - fd).abs() < 1e-7,
                    "dX_{l}/dr_{m}: {} vs {fd}",
                    dx[l]
                );
            }
            assert!(h.iter().all(|v| *v == 0.0));
        }
    }
}
