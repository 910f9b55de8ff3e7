//! The two graphs of a rule set, both petgraph:
//! the recognition graph (bodies as nodes, one edge per agreement) and, per
//! agreement, the dependency graph of clauses.

use std::collections::BTreeMap;

use petgraph::algo::{tarjan_scc, toposort};
use petgraph::graphmap::{DiGraphMap, UnGraphMap};

/// Bodies joined by the agreements between them. Only an edge between the
/// two bodies themselves covers an application: a path through a third body
/// does not (CSE–PEC and PEC–EA do not make CSE–EA).
#[derive(Debug, Clone, Default)]
pub struct RecognitionGraph {
    nodes: BTreeMap<String, u32>,
    graph: UnGraphMap<u32, usize>,
}

impl RecognitionGraph {
    /// Adds the agreement with index `agreement` between `a` and `b`.
    /// Returns the agreement already joining them, if there is one.
    pub(crate) fn add(&mut self, a: &str, b: &str, agreement: usize) -> Option<usize> {
        let (na, nb) = (self.node(a), self.node(b));
        if let Some(existing) = self.graph.edge_weight(na, nb) {
            return Some(*existing);
        }
        self.graph.add_edge(na, nb, agreement);
        None
    }

    fn node(&mut self, code: &str) -> u32 {
        let next = u32::try_from(self.nodes.len()).unwrap_or(u32::MAX);
        let id = *self.nodes.entry(code.to_owned()).or_insert(next);
        self.graph.add_node(id);
        id
    }

    /// The agreement directly between `home` and `host`.
    pub fn direct(&self, home: &str, host: &str) -> Option<usize> {
        let (a, b) = (self.nodes.get(home)?, self.nodes.get(host)?);
        self.graph.edge_weight(*a, *b).copied()
    }
}

/// Orders clauses so that each comes after those it depends on, or returns
/// the clauses of one dependency cycle. `edges` are `(clause, depends_on)`
/// pairs of indices into a list of `count` clauses.
pub(crate) fn dependency_order(count: usize, edges: &[(usize, usize)]) -> Result<Vec<usize>, Vec<usize>> {
    let mut graph = DiGraphMap::<usize, ()>::new();
    for node in 0..count {
        graph.add_node(node);
    }
    for &(clause, dependency) in edges {
        graph.add_edge(dependency, clause, ());
    }
    let sorted = toposort(&graph, None).map_err(|_| {
        let cycle = tarjan_scc(&graph)
            .into_iter()
            .find(|scc| scc.len() > 1 || scc.first().is_some_and(|n| graph.contains_edge(*n, *n)))
            .unwrap_or_default();
        let mut cycle = cycle;
        cycle.sort_unstable();
        cycle
    })?;
    Ok(stable(count, edges, sorted))
}

/// Among the valid orders, the one that keeps clause order wherever the
/// dependencies allow (Kahn's algorithm taking the lowest index first), so
/// that the order does not depend on the graph's internals.
fn stable(count: usize, edges: &[(usize, usize)], fallback: Vec<usize>) -> Vec<usize> {
    let mut waiting = vec![0usize; count];
    for &(clause, _) in edges {
        if let Some(w) = waiting.get_mut(clause) {
            *w += 1;
        }
    }
    let mut ready: std::collections::BTreeSet<usize> =
        (0..count).filter(|i| waiting.get(*i) == Some(&0)).collect();
    let mut order = Vec::with_capacity(count);
    while let Some(next) = ready.pop_first() {
        order.push(next);
        for &(clause, dependency) in edges {
            if dependency == next {
                if let Some(w) = waiting.get_mut(clause) {
                    *w -= 1;
                    if *w == 0 {
                        ready.insert(clause);
                    }
                }
            }
        }
    }
    if order.len() == count {
        order
    } else {
        fallback
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognition_is_not_transitive() {
        let mut graph = RecognitionGraph::default();
        assert_eq!(graph.add("CSE", "PEC", 0), None);
        assert_eq!(graph.add("PEC", "EA", 1), None);
        assert_eq!(graph.direct("PEC", "CSE"), Some(0));
        assert_eq!(graph.direct("EA", "PEC"), Some(1));
        assert_eq!(graph.direct("CSE", "EA"), None);
    }

    #[test]
    fn a_second_agreement_for_a_pair_is_reported() {
        let mut graph = RecognitionGraph::default();
        graph.add("CSE", "PEC", 0);
        assert_eq!(graph.add("PEC", "CSE", 1), Some(0));
    }

    #[test]
    fn dependencies_come_first_and_cycles_are_named() {
        assert_eq!(dependency_order(3, &[(2, 0), (1, 2)]), Ok(vec![0, 2, 1]));
        assert_eq!(dependency_order(3, &[(0, 1), (1, 2), (2, 0)]), Err(vec![0, 1, 2]));
        assert_eq!(dependency_order(1, &[(0, 0)]), Err(vec![0]));
    }
}
