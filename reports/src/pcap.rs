//! Packet captures: one classic pcap file per captured interface.
//!
//! Each file is named `<node>-<iface>.pcap` (`h1-eth0.pcap`) and holds every
//! frame sent ([`Event::Tx`]) and received ([`Event::Rx`]) on that interface,
//! as a capture on a real interface would. Format: classic pcap (not pcapng),
//! little-endian whatever the host, nanosecond timestamps (magic `0xa1b23c4d`),
//! link type Ethernet (1); frame bytes as [`Frame::to_bytes`] gives them (padded
//! to 60 bytes, no FCS), cut to the snap length with the original length kept.
//! Timestamps are simulated time since the start of the run, so they read as
//! dates in January 1970.
//!
//! Classic pcap has no place for comments, so the provenance goes in a
//! manifest, `captures.json`, beside the files: one [`CaptureEntry`] per file
//! with the interface's MAC and address and how many frames it holds.
//!
//! Every file is created at the start, even for an interface that never sends,
//! so there is always one file per captured interface. A `capture_limit` caps
//! the frames written per file (0 = unlimited); a file that hit it says so in
//! the manifest (`truncated_at_limit`).
//!
//! [`Frame::to_bytes`]: protocols::packet::Frame::to_bytes

use std::collections::BTreeSet;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use pcap_file::pcap::{PcapHeader, PcapPacket, PcapWriter};
use pcap_file::{DataLink, Endianness, PcapError, TsResolution};
use protocols::packet::Frame;
use protocols::topology::{IfaceId, Topology};
use protocols::trace::events;
use protocols::trace::{Detail, Event, TraceSink};
use serde::{Deserialize, Serialize};
use sim_core::SimTime;

use crate::atomic::AtomicFile;
use crate::provenance::Provenance;

/// The manifest's file name.
pub const CAPTURE_MANIFEST: &str = "captures.json";

/// The snap length used when 0 is asked for (tcpdump's `-s 0`).
pub const MAX_SNAPLEN: u32 = 262_144;

/// `captures.json`: what was captured, where, by which run.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaptureManifest {
    /// The run that produced the files.
    pub provenance: Provenance,
    /// Always `pcap` (classic, nanosecond timestamps).
    pub format: String,
    /// The link type of every file: 1 (Ethernet).
    pub link_type: u32,
    /// The snap length of every file.
    pub snaplen: u32,
    /// The per-file frame limit (0 = unlimited).
    pub capture_limit: u64,
    /// One entry per file, in interface order.
    pub captures: Vec<CaptureEntry>,
}

/// One pcap file in the manifest.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaptureEntry {
    /// The file name, relative to the manifest: `h1-eth0.pcap`.
    pub file: String,
    /// The interface, as `node:iface`.
    pub iface: String,
    /// The interface's MAC address.
    pub mac: String,
    /// The interface's IPv4 address and prefix, if it has one.
    pub addr: Option<String>,
    /// Frames written to the file.
    pub frames: u64,
    /// Whether the capture limit stopped the file short.
    pub truncated_at_limit: bool,
    /// Frames seen after the limit was reached (not in the file).
    pub frames_not_written: u64,
}

/// One interface's capture.
struct Capture {
    iface: IfaceId,
    file: String,
    writer: Option<PcapWriter<AtomicFile>>,
    frames: u64,
    not_written: u64,
}

/// Writes one pcap file per captured interface and the `captures.json` manifest.
pub struct PcapSink {
    dir: PathBuf,
    topo: Arc<Topology>,
    prov: Provenance,
    snaplen: u32,
    capture_limit: u64,
    /// Index into `captures` by interface id; `None` for interfaces not captured.
    by_iface: Vec<Option<usize>>,
    captures: Vec<Capture>,
    error: Option<io::Error>,
    closed: bool,
}

impl PcapSink {
    /// Creates (empty) pcap files in `dir` for `ifaces` (duplicates ignored,
    /// written in interface order). `snaplen` 0 means [`MAX_SNAPLEN`];
    /// `capture_limit` 0 means unlimited. Nothing appears in `dir` until
    /// [`TraceSink::finish`].
    ///
    /// # Errors
    /// An interface not in `topo` (`InvalidInput`), or a file that cannot be created.
    pub fn new(
        dir: &Path,
        topo: Arc<Topology>,
        ifaces: &[IfaceId],
        snaplen: u32,
        capture_limit: u64,
        prov: &Provenance,
    ) -> io::Result<PcapSink> {
        let snaplen = if snaplen == 0 { MAX_SNAPLEN } else { snaplen };
        let ifaces: BTreeSet<IfaceId> = ifaces.iter().copied().collect();
        let mut by_iface = vec![None; topo.ifaces.len()];
        let mut captures = Vec::with_capacity(ifaces.len());
        let mut taken = BTreeSet::new();
        for iface in ifaces {
            let slot = by_iface.get_mut(iface.0 as usize).ok_or_else(|| {
                io::Error::new(
                    io::ErrorKind::InvalidInput,
                    format!(
                        "capture of interface #{} which the topology does not have",
                        iface.0
                    ),
                )
            })?;
            let file = file_name(&topo, iface, &mut taken);
            let header = PcapHeader {
                version_major: 2,
                version_minor: 4,
                ts_correction: 0,
                ts_accuracy: 0,
                snaplen,
                datalink: DataLink::ETHERNET,
                ts_resolution: TsResolution::NanoSecond,
                endianness: Endianness::Little,
            };
            let out = AtomicFile::create(dir, &file)?;
            let writer = PcapWriter::with_header(out, header).map_err(into_io)?;
            *slot = Some(captures.len());
            captures.push(Capture {
                iface,
                file,
                writer: Some(writer),
                frames: 0,
                not_written: 0,
            });
        }
        Ok(PcapSink {
            dir: dir.to_owned(),
            topo,
            prov: prov.clone(),
            snaplen,
            capture_limit,
            by_iface,
            captures,
            error: None,
            closed: false,
        })
    }

    /// The pcap file names, in interface order.
    pub fn files(&self) -> impl Iterator<Item = &str> {
        self.captures.iter().map(|c| c.file.as_str())
    }

    /// The manifest as it stands (frame counts so far).
    pub fn manifest(&self) -> CaptureManifest {
        let limit = self.capture_limit;
        CaptureManifest {
            provenance: self.prov.clone(),
            format: "pcap".into(),
            link_type: 1,
            snaplen: self.snaplen,
            capture_limit: limit,
            captures: self
                .captures
                .iter()
                .map(|c| {
                    let info = self.topo.iface(c.iface);
                    CaptureEntry {
                        file: c.file.clone(),
                        iface: self.topo.iface_label(c.iface),
                        mac: info.mac.to_string(),
                        addr: info.addr.map(|a| a.to_string()),
                        frames: c.frames,
                        truncated_at_limit: c.not_written > 0,
                        frames_not_written: c.not_written,
                    }
                })
                .collect(),
        }
    }

    fn capture(&mut self, time: SimTime, iface: IfaceId, frame: &Frame) {
        if self.error.is_some() || self.closed {
            return;
        }
        let Some(&Some(index)) = self.by_iface.get(iface.0 as usize) else {
            return;
        };
        let c = &mut self.captures[index];
        if self.capture_limit != 0 && c.frames >= self.capture_limit {
            c.not_written += 1;
            return;
        }
        let Some(writer) = c.writer.as_mut() else {
            return;
        };
        let mut bytes = frame.to_bytes();
        let orig_len = u32::try_from(bytes.len()).unwrap_or(u32::MAX);
        bytes.truncate(self.snaplen as usize);
        let packet = PcapPacket::new_owned(Duration::from_nanos(time.as_nanos()), orig_len, bytes);
        match writer.write_packet(&packet) {
            Ok(_) => c.frames += 1,
            Err(e) => self.error = Some(into_io(e)),
        }
    }
}

/// `<node>-<iface>.pcap`, with characters unsafe in file names replaced by
/// `_`, and the interface number appended if two interfaces would share a name.
fn file_name(topo: &Topology, iface: IfaceId, taken: &mut BTreeSet<String>) -> String {
    let info = topo.iface(iface);
    let clean = |s: &str| -> String {
        s.chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                    c
                } else {
                    '_'
                }
            })
            .collect()
    };
    let stem = format!("{}-{}", clean(topo.node_name(info.node)), clean(&info.name));
    let mut name = format!("{stem}.pcap");
    if !taken.insert(name.clone()) {
        name = format!("{stem}-{}.pcap", iface.0);
        taken.insert(name.clone());
    }
    name
}

fn into_io(e: PcapError) -> io::Error {
    match e {
        PcapError::IoError(e) => e,
        other => io::Error::other(other.to_string()),
    }
}

impl TraceSink for PcapSink {
    fn detail(&self) -> Detail {
        Detail::Packets
    }

    fn record(&mut self, time: SimTime, event: &Event<'_>) {
        match *event {
            Event::Tx(events::Tx { iface, frame }) | Event::Rx(events::Rx { iface, frame }) => {
                self.capture(time, iface, frame)
            }
            _ => {}
        }
    }

    /// Commits every pcap file, then writes `captures.json`. After a write
    /// error, returns it and leaves no files. A second call does nothing.
    fn finish(&mut self) -> io::Result<()> {
        if self.closed {
            return Ok(());
        }
        self.closed = true;
        if let Some(e) = self.error.take() {
            self.captures.iter_mut().for_each(|c| c.writer = None);
            return Err(e);
        }
        for c in &mut self.captures {
            if let Some(w) = c.writer.take() {
                w.into_writer().commit()?;
            }
        }
        let mut out = AtomicFile::create(&self.dir, CAPTURE_MANIFEST)?;
        serde_json::to_writer_pretty(&mut out, &self.manifest())?;
        io::Write::write_all(&mut out, b"\n")?;
        out.commit()?;
        Ok(())
    }
}
