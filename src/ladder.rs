//! From the scenario's outputs and the `run` options to what the ladder
//! diagrams and the topology drawing need.

use protocols::topology::{IfaceId, NodeId, Topology};
use reports::ladder::{EndFilter, HostFilter, LadderFilter};
use scenarios::ladder::ConnHost;
use scenarios::{Address, Scenario};
use sim_core::time::text::seconds_short;

use crate::{Error, RunOptions};

/// The ladder filter: `--ladder`, `--from`, `--to` where given, else the
/// scenario's `outputs.ladder`, `ladder_from`, `ladder_to`.
///
/// # Errors
/// [`Error::Usage`] when `--ladder` names a node the scenario does not have
/// (or reads two ways), or `--to` is before `--from`.
pub(crate) fn filter(
    s: &Scenario,
    opts: &RunOptions,
    topo: &Topology,
) -> Result<LadderFilter, Error> {
    let o = &s.outputs;
    let names: Vec<&str> = topo.nodes.iter().map(|n| n.name.as_str()).collect();
    let (spec, flag) = match (&opts.ladder, &o.ladder) {
        (Some(c), _) => (Some(c), "--ladder"),
        (None, c) => (c.as_ref(), "outputs.ladder"),
    };
    let conn = match spec {
        Some(spec) => {
            let ends = spec
                .resolve(&names)
                .map_err(|m| Error::Usage(format!("{flag} {spec}: {m}")))?;
            Some(ends.map(|e| EndFilter {
                host: match e.host {
                    ConnHost::Node(n) => {
                        let at = names.iter().position(|x| *x == n).unwrap_or_default();
                        HostFilter::Node(NodeId(at as u32))
                    }
                    ConnHost::Addr(a) => HostFilter::Addr(a),
                },
                port: e.port,
            }))
        }
        None => None,
    };
    let from = opts.ladder_from.or(o.ladder_from);
    let to = opts.ladder_to.or(o.ladder_to);
    if let (Some(f), Some(t)) = (from, to)
        && f > t
    {
        return Err(Error::Usage(format!(
            "--to {} is before --from {}: nothing to draw",
            seconds_short(t),
            seconds_short(f)
        )));
    }
    Ok(LadderFilter {
        conn,
        label: spec.map(ToString::to_string).unwrap_or_default(),
        from,
        to,
    })
}

/// The interfaces a DHCP client configures.
pub(crate) fn dhcp_ifaces(s: &Scenario, topo: &Topology) -> Vec<IfaceId> {
    let mut out = Vec::new();
    for node in &s.nodes {
        for iface in node.interfaces() {
            if iface.address != Some(Address::Dhcp) {
                continue;
            }
            let id = topo
                .ifaces
                .iter()
                .position(|i| i.name == iface.name && topo.node_name(i.node) == node.name());
            out.extend(id.map(|k| IfaceId(k as u32)));
        }
    }
    out
}
