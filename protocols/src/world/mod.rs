//! The world: nodes and links driven by the event engine.
//!
//! This is the only place that talks to the scheduler. Links and nodes are
//! sans-IO; the world turns their outputs into events (a frame finishing
//! serialization, a frame arriving, a node's next deadline, a timeline action)
//! and their notes into trace events.

mod build_apps;
pub mod spec;

use std::sync::Arc;

use sim_core::{
    EventKey, Model, Progress, RunError, RunLimits, RunStats, Scheduler, SimTime, Simulator,
};

use crate::apps::AppStats;
use crate::link::impair::Fate;
use crate::link::{Discipline, Link, QueueLimit};
use crate::node::IpNode;
use crate::node::NodeOutput;
use crate::node::switch::Switch;
use crate::packet::{Frame, FrameBody};
use crate::topology::{IfaceId, NodeId, Topology};
use crate::trace::{DropReason, Dropped, Event, LinkChange, TraceSink, Tracer, events};
pub use spec::{Action, AppSpec, ImpairChange, LinkSpec, NodeSpec, RouteSpec, WorldSpec};

/// The events of a run. Small and plain: frames live in an arena.
#[derive(Clone, Copy, Debug)]
pub enum WorldEvent {
    /// A direction finished serializing its current frame.
    TxDone {
        /// Link.
        link: u32,
        /// Direction (0: a→b).
        dir: u8,
    },
    /// A frame reaches the far end of a link.
    Arrive {
        /// Link.
        link: u32,
        /// Direction.
        dir: u8,
        /// The link's epoch when the frame left (a down/up in between loses it).
        epoch: u32,
        /// Arena slot of the frame.
        slot: u32,
    },
    /// A node's deadline.
    Node(u32),
    /// Timeline action by index.
    Action(u32),
}

pub(crate) enum NodeState {
    Ip(Box<IpNode>),
    Switch(Switch),
}

/// Counters per link direction.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DirStats {
    /// Frames that finished serialization.
    pub frames_sent: u64,
    /// Bytes that finished serialization.
    pub bytes_sent: u64,
    /// Frames delivered to the far end.
    pub frames_delivered: u64,
    /// Frames dropped at the queue, on the wire or because the link was down.
    pub drops: u64,
    /// Highest queue length seen, in frames.
    pub max_queue: usize,
    /// Packets marked CE (ECN) by the queue.
    pub ecn_marks: u64,
}

/// What a finished run reports besides its trace.
pub struct RunReport {
    /// Engine statistics.
    pub stats: RunStats,
    /// Application results: (node name, app name, stats), in scenario order.
    pub apps: Vec<(String, AppStats)>,
    /// Per link, per direction counters.
    pub links: Vec<[DirStats; 2]>,
    /// The sinks, to finish.
    pub sinks: Vec<Box<dyn TraceSink>>,
}

/// A running world.
pub struct World {
    topo: Arc<Topology>,
    nodes: Vec<NodeState>,
    links: Vec<Link>,
    link_stats: Vec<[DirStats; 2]>,
    arena: Vec<Option<Frame>>,
    free: Vec<u32>,
    timers: Vec<Option<(SimTime, EventKey)>>,
    timeline: Vec<(SimTime, Action)>,
    tracer: Tracer,
    /// Nodes stopped by a timeline action.
    down: Vec<bool>,
}

impl World {
    fn new(
        topo: Arc<Topology>,
        nodes: Vec<NodeState>,
        links: Vec<Link>,
        timeline: Vec<(SimTime, Action)>,
        tracer: Tracer,
    ) -> World {
        World {
            timers: vec![None; nodes.len()],
            down: vec![false; nodes.len()],
            link_stats: vec![[DirStats::default(); 2]; links.len()],
            topo,
            nodes,
            links,
            arena: Vec::new(),
            free: Vec::new(),
            timeline,
            tracer,
        }
    }

    /// Names and addresses of everything.
    pub fn topology(&self) -> &Arc<Topology> {
        &self.topo
    }

    /// Runs until `limits` stop it. `progress` is called now and then.
    pub fn run(
        mut self,
        limits: RunLimits,
        progress: impl FnMut(Progress),
    ) -> Result<RunReport, (RunError, RunReport)> {
        let mut sim = Simulator::new();
        let sched = sim.scheduler();
        for n in 0..self.nodes.len() {
            self.reschedule(sched, n);
        }
        for (i, (t, _)) in self.timeline.iter().enumerate() {
            let _ = sched
                .at(*t, WorldEvent::Action(i as u32))
                .expect("times are not negative");
        }
        let result = sim.run(&mut self, limits, progress);
        match result {
            Ok(stats) => Ok(self.report(stats)),
            Err(e) => {
                let stats = RunStats {
                    events: 0,
                    end: SimTime::ZERO,
                    drained: false,
                };
                Err((e, self.report(stats)))
            }
        }
    }

    fn report(self, stats: RunStats) -> RunReport {
        let mut apps = Vec::new();
        for (n, node) in self.nodes.iter().enumerate() {
            if let NodeState::Ip(ip) = node {
                for s in ip.app_stats() {
                    apps.push((self.topo.nodes[n].name.clone(), s));
                }
            }
        }
        RunReport {
            stats,
            apps,
            links: self.link_stats,
            sinks: self.tracer.into_sinks(),
        }
    }

    /// Hands `frame` to the link of `iface`.
    fn send(&mut self, sched: &mut Scheduler<WorldEvent>, iface: IfaceId, frame: Frame) {
        let now = sched.now();
        let Some(link_id) = self.topo.iface(iface).link else {
            drop_frame(
                &mut self.tracer,
                &self.topo,
                now,
                iface,
                &frame,
                &DropReason::LinkDown,
            );
            return;
        };
        let l = link_id.0 as usize;
        let (d, _) = self.links[l].direction_from(iface);
        let up = self.links[l].up;
        match self.links[l].dirs[d].offer(now, frame, up) {
            Ok(marked) => {
                let q = &self.links[l].dirs[d].queue;
                let st = &mut self.link_stats[l][d];
                st.max_queue = st.max_queue.max(q.len());
                st.ecn_marks += u64::from(marked);
                self.queue_sample(now, l, d);
                let dir = &self.links[l].dirs[d];
                // The frame just queued is the last one.
                if let Some(frame) = dir.queue_back() {
                    self.tracer.emit(
                        now,
                        Event::Enqueue(events::Enqueue {
                            iface,
                            frame,
                            backlog_packets: dir.queue.len(),
                            backlog_bytes: dir.queue.bytes(),
                        }),
                    );
                }
                self.kick(sched, l, d);
            }
            Err((frame, reason)) => {
                self.link_stats[l][d].drops += 1;
                drop_frame(&mut self.tracer, &self.topo, now, iface, &frame, &reason);
            }
        }
    }

    /// Records a direction's queue length for the time series.
    fn queue_sample(&mut self, now: SimTime, l: usize, d: usize) {
        if self.tracer.wants_queue_series() {
            let q = &self.links[l].dirs[d].queue;
            let (packets, bytes) = (q.len(), q.bytes());
            self.tracer.emit(
                now,
                Event::QueueSample(events::QueueSample {
                    link: crate::topology::LinkId(l as u32),
                    dir: d as u8,
                    packets,
                    bytes,
                }),
            );
        }
    }

    /// Starts the next transmission on an idle direction.
    fn kick(&mut self, sched: &mut Scheduler<WorldEvent>, l: usize, d: usize) {
        let now = sched.now();
        let sender = self.links[l].ends[d];
        let started = self.links[l].dirs[d].start_next(now).map(|(_, done)| done);
        // A CoDel queue may have dropped packets at its head first.
        let queue_drops = self.links[l].dirs[d].take_queue_drops();
        if !queue_drops.is_empty() {
            self.link_stats[l][d].drops += queue_drops.len() as u64;
            for (f, reason) in &queue_drops {
                drop_frame(&mut self.tracer, &self.topo, now, sender, f, reason);
            }
        }
        if started.is_some() {
            self.queue_sample(now, l, d);
        }
        if let (Some(done), Some(frame)) = (started, self.links[l].dirs[d].current()) {
            self.tracer.emit(
                now,
                Event::Tx(events::Tx {
                    iface: sender,
                    frame,
                }),
            );
            let _ = sched.at(
                done,
                WorldEvent::TxDone {
                    link: l as u32,
                    dir: d as u8,
                },
            );
        }
    }

    fn on_tx_done(&mut self, sched: &mut Scheduler<WorldEvent>, l: usize, d: usize) {
        let now = sched.now();
        let link = &mut self.links[l];
        let sender = link.ends[d];
        let epoch = link.epoch;
        match link.dirs[d].finish_tx(now) {
            None => {}
            Some(Fate::Lost { frame, reason }) => {
                let st = &mut self.link_stats[l][d];
                st.frames_sent += 1;
                st.bytes_sent += frame.wire_len() as u64;
                st.drops += 1;
                drop_frame(&mut self.tracer, &self.topo, now, sender, &frame, &reason);
            }
            Some(Fate::Deliver(copies)) => {
                let st = &mut self.link_stats[l][d];
                st.frames_sent += 1;
                st.bytes_sent += copies[0].1.wire_len() as u64;
                for (at, frame) in copies {
                    let slot = self.store(frame);
                    let _ = sched.at(
                        at,
                        WorldEvent::Arrive {
                            link: l as u32,
                            dir: d as u8,
                            epoch,
                            slot,
                        },
                    );
                }
            }
        }
        self.kick(sched, l, d);
    }

    fn store(&mut self, frame: Frame) -> u32 {
        match self.free.pop() {
            Some(i) => {
                self.arena[i as usize] = Some(frame);
                i
            }
            None => {
                self.arena.push(Some(frame));
                (self.arena.len() - 1) as u32
            }
        }
    }

    fn take(&mut self, slot: u32) -> Frame {
        self.free.push(slot);
        self.arena[slot as usize].take().expect("frame in flight")
    }

    fn on_arrive(
        &mut self,
        sched: &mut Scheduler<WorldEvent>,
        l: usize,
        d: usize,
        epoch: u32,
        slot: u32,
    ) {
        let now = sched.now();
        let frame = self.take(slot);
        let link = &self.links[l];
        let receiver = link.ends[1 - d];
        let node = self.topo.iface(receiver).node;
        if !link.up || link.epoch != epoch {
            self.link_stats[l][d].drops += 1;
            drop_frame(
                &mut self.tracer,
                &self.topo,
                now,
                receiver,
                &frame,
                &DropReason::LinkDown,
            );
            return;
        }
        if self.down[node.0 as usize] {
            drop_frame(
                &mut self.tracer,
                &self.topo,
                now,
                receiver,
                &frame,
                &DropReason::NodeDown,
            );
            return;
        }
        self.link_stats[l][d].frames_delivered += 1;
        // A NIC drops a frame with a bad FCS before any capture sees it.
        let corrupted = matches!(frame.body, FrameBody::Corrupted { .. });
        if !corrupted {
            self.tracer.emit(
                now,
                Event::Rx(events::Rx {
                    iface: receiver,
                    frame: &frame,
                }),
            );
        }
        let mut out = NodeOutput::new(&mut self.tracer, node, now);
        match &mut self.nodes[node.0 as usize] {
            NodeState::Ip(ip) => ip.on_frame(now, receiver, frame, &mut out),
            NodeState::Switch(sw) => sw.on_frame(now, receiver, frame, &mut out),
        }
        let frames = out.into_frames();
        self.apply(sched, node, frames);
    }

    /// Sends a node's frames and re-arms its timer.
    fn apply(
        &mut self,
        sched: &mut Scheduler<WorldEvent>,
        node: NodeId,
        frames: Vec<(IfaceId, Frame)>,
    ) {
        for (iface, frame) in frames {
            self.send(sched, iface, frame);
        }
        self.reschedule(sched, node.0 as usize);
    }

    fn reschedule(&mut self, sched: &mut Scheduler<WorldEvent>, n: usize) {
        let NodeState::Ip(ip) = &self.nodes[n] else {
            return;
        };
        let want = ip.poll_at().map(|t| t.max(sched.now()));
        let have = self.timers[n].map(|(t, _)| t);
        if want == have {
            return;
        }
        if let Some((_, key)) = self.timers[n].take() {
            sched.cancel(key);
        }
        if let Some(t) = want {
            let key = sched
                .at(t, WorldEvent::Node(n as u32))
                .expect("not in the past");
            self.timers[n] = Some((t, key));
        }
    }

    fn on_node_timer(&mut self, sched: &mut Scheduler<WorldEvent>, n: usize) {
        self.timers[n] = None;
        if self.down[n] {
            return; // frozen; re-armed when the node comes back up
        }
        let node = NodeId(n as u32);
        let mut out = NodeOutput::new(&mut self.tracer, node, sched.now());
        if let NodeState::Ip(ip) = &mut self.nodes[n] {
            ip.on_timer(sched.now(), &mut out);
        }
        let frames = out.into_frames();
        self.apply(sched, node, frames);
    }

    fn on_action(&mut self, sched: &mut Scheduler<WorldEvent>, i: usize) {
        let now = sched.now();
        let action = self.timeline[i].1.clone();
        let (link, change) = match action {
            Action::NodeDown(node) | Action::NodeUp(node) => {
                let up = matches!(action, Action::NodeUp(_));
                self.down[node.0 as usize] = !up;
                self.tracer
                    .emit(now, Event::NodePower(events::NodePower { node, up }));
                if up {
                    self.reschedule(sched, node.0 as usize);
                }
                return;
            }
            Action::LinkDown(link) => {
                let l = &mut self.links[link.0 as usize];
                l.up = false;
                l.epoch += 1;
                for d in 0..2 {
                    let sender = l.ends[d];
                    let lost = l.dirs[d].flush();
                    self.link_stats[link.0 as usize][d].drops += lost.len() as u64;
                    for f in &lost {
                        drop_frame(
                            &mut self.tracer,
                            &self.topo,
                            now,
                            sender,
                            f,
                            &DropReason::LinkDown,
                        );
                    }
                }
                (link, LinkChange::Down)
            }
            Action::LinkUp(link) => {
                self.links[link.0 as usize].up = true;
                (link, LinkChange::Up)
            }
            Action::SetLink {
                link,
                dirs,
                rate,
                delay,
                mtu,
                queue,
                impair,
            } => {
                let l = &mut self.links[link.0 as usize];
                let mut what = Vec::new();
                for (dir, _) in l.dirs.iter_mut().zip(dirs).filter(|(_, on)| *on) {
                    if let Some(r) = rate {
                        dir.params.rate = r;
                    }
                    if let Some(x) = delay {
                        dir.params.delay = x;
                    }
                    if let Some(m) = mtu {
                        dir.params.mtu = m;
                    }
                    if let Some(q) = queue {
                        dir.queue.set_config(q);
                    }
                    if !impair.is_empty() {
                        let imp = impair.apply(&dir.channel.impair);
                        dir.channel.set(imp);
                    }
                }
                if let Some(r) = rate {
                    what.push(format!("rate {r}"));
                }
                if let Some(x) = delay {
                    what.push(format!("delay {x}"));
                }
                if let Some(m) = mtu {
                    what.push(format!("mtu {m}"));
                    let ends = l.ends;
                    for (d, end) in ends.iter().enumerate() {
                        if dirs[d] {
                            let node = self.topo.iface(*end).node.0 as usize;
                            if let NodeState::Ip(ip) = &mut self.nodes[node] {
                                ip.set_mtu(*end, m);
                            }
                        }
                    }
                }
                if let Some(q) = queue {
                    let limit = match q.limit {
                        QueueLimit::Packets(n) => format!("{n} packets"),
                        QueueLimit::Bytes(b) => format!("{b} bytes"),
                    };
                    let kind = match q.discipline {
                        Discipline::DropTail => "DropTail",
                        Discipline::Red(_) => "RED",
                        Discipline::CoDel(_) => "CoDel",
                    };
                    what.push(format!("queue {kind} {limit}"));
                }
                what.extend(impair.describe());
                let scope = match dirs {
                    [true, true] => String::new(),
                    [true, false] => " (a->b)".into(),
                    _ => " (b->a)".into(),
                };
                (link, LinkChange::Set(format!("{}{scope}", what.join(", "))))
            }
        };
        self.tracer.emit(
            now,
            Event::Link(events::Link {
                link,
                change: &change,
            }),
        );
        if matches!(change, LinkChange::Up | LinkChange::Set(_)) {
            for d in 0..2 {
                self.kick(sched, link.0 as usize, d);
            }
        }
    }
}

/// Traces the loss of `frame` at `iface` (its queue, its link, or the
/// interface it arrived at), on the interface's node.
fn drop_frame(
    tracer: &mut Tracer,
    topo: &Topology,
    now: SimTime,
    iface: IfaceId,
    frame: &Frame,
    reason: &DropReason,
) {
    let drop = events::Drop {
        node: topo.iface(iface).node,
        iface: Some(iface),
        what: Dropped::Frame(frame),
        reason,
    };
    tracer.emit(now, Event::Drop(drop));
}

impl Model for World {
    type Event = WorldEvent;

    fn handle(&mut self, event: WorldEvent, sched: &mut Scheduler<WorldEvent>) {
        match event {
            WorldEvent::TxDone { link, dir } => self.on_tx_done(sched, link as usize, dir as usize),
            WorldEvent::Arrive {
                link,
                dir,
                epoch,
                slot,
            } => self.on_arrive(sched, link as usize, dir as usize, epoch, slot),
            WorldEvent::Node(n) => self.on_node_timer(sched, n as usize),
            WorldEvent::Action(i) => self.on_action(sched, i as usize),
        }
    }
}
