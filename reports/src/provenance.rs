//! Where an output came from: netsim version, scenario, seed and run index.
//!
//! Every output file records a [`Provenance`] so that a trace or capture found
//! on its own can be traced back to the exact run that produced it: the text
//! trace in its first line, `events.jsonl` in its first object, pcap files in
//! the `captures.json` manifest beside them (classic pcap has no comments).

use serde::{Deserialize, Serialize};

/// The identity of one run.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Provenance {
    /// The netsim version that ran, e.g. `0.1.0`.
    pub netsim_version: String,
    /// The scenario's name.
    pub scenario: String,
    /// A stable hash of the scenario as run (after overrides), in hex.
    pub scenario_hash: String,
    /// The master seed.
    pub seed: u64,
    /// The run's index within a sweep or repetition (0 for a single run).
    pub run_index: u64,
}

impl Provenance {
    /// One line for text outputs, without a comment marker:
    /// `netsim 0.1.0 scenario ping-router hash 3fa2c0de seed 1 run 0`.
    pub fn summary(&self) -> String {
        format!(
            "netsim {} scenario {} hash {} seed {} run {}",
            self.netsim_version, self.scenario, self.scenario_hash, self.seed, self.run_index
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_names_every_field() {
        let p = Provenance {
            netsim_version: "0.1.0".into(),
            scenario: "ping-router".into(),
            scenario_hash: "3fa2c0de".into(),
            seed: 1,
            run_index: 0,
        };
        assert_eq!(
            p.summary(),
            "netsim 0.1.0 scenario ping-router hash 3fa2c0de seed 1 run 0"
        );
    }
}
