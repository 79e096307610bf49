//! Where each node goes: columns from left to right, rows within a column.
//!
//! Hosts with a single neighbour are *leaves*; everything else (routers,
//! switches, multi-homed hosts) is the *core*. The core is laid out in
//! columns by breadth-first distance from one end of its longest shortest
//! path, so a chain of routers runs left to right; each column is ordered by
//! the rows of its neighbours in the column before (barycentre), ties by
//! scenario order. Leaves hang off their core node: to the left of the first
//! column, to the right of the last, below their node in between; a single
//! core column gets the first half of its leaves on the left and the rest on
//! the right. The side of the first leaf in scenario order is the left, so a
//! dumbbell's senders are on the left and its receivers on the right
//! (without leaves, the first link's `a` end is on the left).
//! Columns are centred vertically. Everything is decided by node and link
//! order: the same topology is always drawn the same.

use std::collections::{BTreeSet, VecDeque};

use protocols::topology::{NodeKind, Topology};

/// Column and row of each node, by node index; rows counted from the top of
/// the tallest column (fractional rows centre the shorter ones).
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Layout {
    /// (column, row) by node index.
    pub(super) place: Vec<(usize, f64)>,
    pub(super) columns: usize,
    pub(super) rows: usize,
}

fn neighbours(topo: &Topology) -> Vec<BTreeSet<usize>> {
    let mut adj = vec![BTreeSet::new(); topo.nodes.len()];
    for l in &topo.links {
        let [a, b] = l.ends.map(|i| topo.iface(i).node.0 as usize);
        if a != b {
            adj[a].insert(b);
            adj[b].insert(a);
        }
    }
    adj
}

/// Distances from `start` within `members`.
fn bfs(adj: &[BTreeSet<usize>], members: &[bool], start: usize) -> Vec<Option<usize>> {
    let mut dist = vec![None; adj.len()];
    dist[start] = Some(0);
    let mut queue = VecDeque::from([start]);
    while let Some(n) = queue.pop_front() {
        let d = dist[n].unwrap_or(0);
        for &m in &adj[n] {
            if members[m] && dist[m].is_none() {
                dist[m] = Some(d + 1);
                queue.push_back(m);
            }
        }
    }
    dist
}

/// The farthest node of `dist` (the first in node order on a tie).
fn farthest(dist: &[Option<usize>]) -> Option<usize> {
    let mut best: Option<(usize, usize)> = None;
    for (n, d) in dist.iter().enumerate() {
        if let Some(d) = *d
            && best.is_none_or(|(_, b)| d > b)
        {
            best = Some((n, d));
        }
    }
    best.map(|(n, _)| n)
}

/// Lays out `topo` (see the module docs).
pub(super) fn layout(topo: &Topology) -> Layout {
    let n = topo.nodes.len();
    let adj = neighbours(topo);
    let leaf: Vec<bool> = (0..n)
        .map(|k| topo.nodes[k].kind == NodeKind::Host && adj[k].len() == 1)
        .collect();
    let mut core: Vec<bool> = leaf.iter().map(|l| !l).collect();
    if !core.iter().any(|c| *c) {
        core = vec![true; n];
    }
    // Core columns, one connected component after the other (stacked).
    let mut column: Vec<Option<isize>> = vec![None; n];
    let mut component: Vec<usize> = vec![0; n];
    let mut components = 0;
    for start in 0..n {
        if !core[start] || column[start].is_some() {
            continue;
        }
        let reach = bfs(&adj, &core, start);
        let end = farthest(&reach).unwrap_or(start);
        let dist = bfs(&adj, &core, end);
        let max = dist.iter().flatten().copied().max().unwrap_or(0);
        // Left is where the first leaf (in scenario order) hangs.
        let first_leaf_col = (0..n)
            .filter(|&k| leaf[k] && !core[k])
            .find_map(|k| adj[k].iter().find_map(|&m| dist[m]));
        // Without leaves, the first link of the component reads left to right.
        let first_link = topo.links.iter().find_map(|l| {
            let [a, b] = l.ends.map(|i| dist[topo.iface(i).node.0 as usize]);
            Some((a?, b?))
        });
        let flip = match first_leaf_col {
            Some(c) => 2 * c > max,
            None => first_link.is_some_and(|(a, b)| a > b),
        };
        for (k, d) in dist.iter().enumerate() {
            if let Some(d) = *d {
                column[k] = Some(if flip { max - d } else { d } as isize);
                component[k] = components;
            }
        }
        components += 1;
    }
    let max_col = column.iter().flatten().copied().max().unwrap_or(0);
    // Leaves next to their node.
    let mut seen_at: Vec<usize> = vec![0; n];
    let leaves_of = |c: usize| (0..n).filter(|&k| !core[k] && adj[k].contains(&c)).count();
    for k in 0..n {
        if core[k] {
            continue;
        }
        let Some(&at) = adj[k].iter().next() else {
            continue;
        };
        let c = column[at].unwrap_or(0);
        component[k] = component[at];
        column[k] = Some(if max_col == 0 {
            seen_at[at] += 1;
            if 2 * (seen_at[at] - 1) < leaves_of(at) {
                -1
            } else {
                1
            }
        } else if c == 0 {
            -1
        } else if c == max_col {
            max_col + 1
        } else {
            c
        });
    }
    let min_col = column.iter().flatten().copied().min().unwrap_or(0);
    let col: Vec<usize> = column
        .iter()
        .map(|c| (c.unwrap_or(0) - min_col) as usize)
        .collect();
    let columns = col.iter().copied().max().map_or(0, |m| m + 1);

    // Rows: core nodes by barycentre of their neighbours to the left, then
    // leaves by their node's row; per component, components stacked.
    let mut row = vec![0.0f64; n];
    let mut per_col: Vec<Vec<usize>> = vec![Vec::new(); columns];
    let mut base = 0.0;
    let mut total = 0usize;
    for comp in 0..components.max(1) {
        let in_comp = |k: usize| component[k] == comp;
        let mut height = 0usize;
        let mut placed = vec![false; n];
        for (c, column) in per_col.iter_mut().enumerate() {
            let mut members: Vec<usize> = (0..n)
                .filter(|&k| in_comp(k) && core[k] && col[k] == c)
                .collect();
            let key = |k: usize| {
                let ys: Vec<f64> = adj[k]
                    .iter()
                    .filter(|&&m| placed[m] && col[m] < c)
                    .map(|&m| row[m])
                    .collect();
                if ys.is_empty() {
                    f64::MAX
                } else {
                    ys.iter().sum::<f64>() / ys.len() as f64
                }
            };
            members.sort_by(|&a, &b| key(a).total_cmp(&key(b)).then(a.cmp(&b)));
            for (i, &k) in members.iter().enumerate() {
                row[k] = i as f64;
                placed[k] = true;
            }
            column.extend(&members);
            height = height.max(members.len());
        }
        for (c, column) in per_col.iter_mut().enumerate() {
            let mut leaves: Vec<usize> = (0..n)
                .filter(|&k| in_comp(k) && !core[k] && col[k] == c)
                .collect();
            let anchor = |k: usize| adj[k].iter().next().map_or(0.0, |&m| row[m]);
            leaves.sort_by(|&a, &b| anchor(a).total_cmp(&anchor(b)).then(a.cmp(&b)));
            let start = column.iter().filter(|&&k| in_comp(k)).count();
            for (i, &k) in leaves.iter().enumerate() {
                row[k] = (start + i) as f64;
            }
            column.extend(&leaves);
            height = height.max(start + leaves.len());
        }
        // Centre each column of this component in its band.
        for column in &per_col {
            let members: Vec<usize> = column.iter().copied().filter(|&k| in_comp(k)).collect();
            let shift = (height - members.len()) as f64 / 2.0;
            for k in members {
                row[k] += base + shift;
            }
        }
        base += height as f64;
        total += height;
    }
    Layout {
        place: (0..n).map(|k| (col[k], row[k])).collect(),
        columns,
        rows: total,
    }
}
