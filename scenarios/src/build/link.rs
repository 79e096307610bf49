//! The link part of the world builder: rates, queues, impairments and the
//! timeline's link changes.

use protocols::link::aqm::{CoDelConfig, RedConfig};
use protocols::link::impair::{self, Impairments, LossModel};
use protocols::link::{Discipline, LinkParams, QueueConfig, QueueLimit as WireQueueLimit};
use protocols::topology::LinkId;
use protocols::world::{self, ImpairChange, LinkSpec};

use crate::link::{Direction, DropRule, Link, LinkDirection, Loss, Queue, SetLink};
use crate::values::QueueLimit;

/// The rate, delay and MTU of `l`.
pub(super) fn params(l: &Link) -> LinkParams {
    LinkParams {
        rate: l.rate,
        delay: l.delay,
        mtu: l.mtu,
    }
}

/// The queues and impairments of `l`, per direction.
pub(super) fn link_spec(l: &Link) -> LinkSpec {
    LinkSpec {
        queue: [
            queue_config(l.queue_of(LinkDirection::AtoB)),
            queue_config(l.queue_of(LinkDirection::BtoA)),
        ],
        impair: [impairments(&l.a_to_b), impairments(&l.b_to_a)],
    }
}

/// A `SetLink` timeline action on `link`.
pub(super) fn set_link(set: &SetLink, link: LinkId) -> world::Action {
    world::Action::SetLink {
        link,
        dirs: match set.direction {
            None => [true, true],
            Some(LinkDirection::AtoB) => [true, false],
            Some(LinkDirection::BtoA) => [false, true],
        },
        rate: set.rate,
        delay: set.delay,
        mtu: set.mtu,
        queue: set.queue.as_ref().map(queue_config),
        impair: Box::new(ImpairChange {
            loss: set.loss.as_ref().map(loss_model),
            rules: set.drop.as_ref().map(|r| r.iter().map(drop_rule).collect()),
            jitter: set.jitter,
            duplicate: set.duplicate,
            corrupt: set.corrupt,
            reorder: set.reorder,
        }),
    }
}

fn queue_config(q: &Queue) -> QueueConfig {
    let limit = match q.limit() {
        QueueLimit::Packets(n) => WireQueueLimit::Packets(n as usize),
        QueueLimit::Bytes(b) => WireQueueLimit::Bytes(b.bytes() as usize),
    };
    let discipline = match *q {
        Queue::DropTail { .. } => Discipline::DropTail,
        Queue::Red {
            min_th,
            max_th,
            max_p,
            w_q,
            gentle,
            ecn,
            ..
        } => Discipline::Red(RedConfig {
            min_th,
            max_th,
            max_p,
            w_q,
            gentle,
            ecn,
        }),
        Queue::CoDel {
            target,
            interval,
            ecn,
            ..
        } => Discipline::CoDel(CoDelConfig {
            target,
            interval,
            ecn,
        }),
    };
    QueueConfig { limit, discipline }
}

fn loss_model(l: &Loss) -> Option<LossModel> {
    match *l {
        Loss::None => None,
        Loss::Bernoulli { p } => Some(LossModel::Bernoulli { p }),
        Loss::GilbertElliott {
            p_good_to_bad,
            p_bad_to_good,
            loss_good,
            loss_bad,
        } => Some(LossModel::GilbertElliott {
            p_good_to_bad,
            p_bad_to_good,
            loss_good,
            loss_bad,
        }),
    }
}

fn drop_rule(r: &DropRule) -> impair::DropRule {
    match *r {
        DropRule::Nth(n) => impair::DropRule::Nth(n),
        DropRule::TcpSeq(s) => impair::DropRule::TcpSeq(s),
        DropRule::IcmpSeq(s) => impair::DropRule::IcmpSeq(s),
        DropRule::During { from, to } => impair::DropRule::During { from, to },
    }
}

fn impairments(d: &Direction) -> Impairments {
    Impairments {
        loss: loss_model(&d.loss),
        rules: d.drop.iter().map(drop_rule).collect(),
        jitter: d.jitter,
        duplicate: d.duplicate,
        corrupt: d.corrupt,
        reorder: d.reorder,
    }
}
