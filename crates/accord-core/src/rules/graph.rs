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
///
/// petgraph's depth-first topological sort is deterministic for a graph
/// built in the same order. It starts from nodes in insertion order and
/// lists them by reversed finishing time; adding the clauses last to first
/// makes a set whose clauses only depend on earlier ones keep clause order
/// exactly, so the order a person reads is the order of evaluation.
pub(crate) fn dependency_order(count: usize, edges: &[(usize, usize)]) -> Result<Vec<usize>, Vec<usize>> {
    let mut graph = DiGraphMap::<usize, ()>::new();
    for node in (0..count).rev() {
        graph.add_node(node);
    }
    for &(clause, dependency) in edges {
        graph.add_edge(dependency, clause, ());
    }
    toposort(&graph, None).map_err(|_| {
        let mut cycle = tarjan_scc(&graph)
            .into_iter()
            .find(|scc| scc.len() > 1 || scc.first().is_some_and(|n| graph.contains_edge(*n, *n)))
            .unwrap_or_default();
        cycle.sort_unstable();
        cycle
    })
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
        assert_eq!(
            dependency_order(4, &[(1, 0), (3, 1), (3, 2)]),
            Ok(vec![0, 1, 2, 3])
        );
        assert_eq!(dependency_order(3, &[(0, 1), (1, 2), (2, 0)]), Err(vec![0, 1, 2]));
        assert_eq!(dependency_order(1, &[(0, 0)]), Err(vec![0]));
    }
}
