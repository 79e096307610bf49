//! What a node call produces: frames for the links, and trace events emitted
//! straight to the run's [`Tracer`] as things happen ([`NodeOutput`]).

use sim_core::SimTime;

use crate::packet::Frame;
use crate::topology::{IfaceId, NodeId};
use crate::trace::{DropReason, Dropped, Event, TraceLevel, Tracer, events};

/// What a node call produced, and where its trace events go.
pub struct NodeOutput<'t> {
    /// Frames to hand to the links, in order.
    pub frames: Vec<(IfaceId, Frame)>,
    /// The node being called (named in its events).
    pub node: NodeId,
    now: SimTime,
    tracer: &'t mut Tracer,
}

impl<'t> NodeOutput<'t> {
    /// The output of a call on `node` at `now`, tracing to `tracer`.
    pub fn new(tracer: &'t mut Tracer, node: NodeId, now: SimTime) -> NodeOutput<'t> {
        NodeOutput {
            frames: Vec::new(),
            node,
            now,
            tracer,
        }
    }

    /// Which events anyone wants.
    #[inline]
    pub fn level(&self) -> TraceLevel {
        self.tracer.level()
    }

    /// Hands `event` to the sinks that want it.
    #[inline]
    pub fn emit(&mut self, event: Event<'_>) {
        self.tracer.emit(self.now, event);
    }

    /// Emits a drop on this node.
    pub fn drop(&mut self, iface: Option<IfaceId>, what: Dropped<'_>, reason: &DropReason) {
        let node = self.node;
        self.emit(Event::Drop(events::Drop {
            node,
            iface,
            what,
            reason,
        }));
    }

    /// Emits a line an application of this node printed.
    pub fn app(&mut self, app: &str, text: &str) {
        let node = self.node;
        self.emit(Event::App(events::App { node, app, text }));
    }

    /// The frames, once the call is over.
    pub fn into_frames(self) -> Vec<(IfaceId, Frame)> {
        self.frames
    }
}
