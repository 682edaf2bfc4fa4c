use super::*;
use crate::app::driver::record::Recorder;
use crate::craft::frame::Route;
use crate::link::MemoryLink;
use crate::render::style::Style;
use crate::sink::pcapng::InterfaceInfo;
use crate::wire::arp::ArpRepr;

const OURS: [u8; 6] = [2, 0, 0, 0, 0, 1];
const PEER: [u8; 6] = [2, 0, 0, 0, 0, 2];
const ME: Ipv4Addr = Ipv4Addr::new(10, 255, 9, 1);
const OTHER: Ipv4Addr = Ipv4Addr::new(10, 255, 9, 2);

fn udp_frame(src_mac: [u8; 6]) -> Vec<u8> {
    let route = Route {
        src_mac,
        dst_mac: OURS,
        src_ip: OTHER,
        dst_ip: ME,
        ttl: 64,
    };
    let mut f = Vec::new();
    frame::udp(&mut f, &route, 1, 67, 68, b"x").unwrap();
    f
}

/// An ARP request between two other hosts: handled (ignored) by the station.
fn foreign_arp() -> Vec<u8> {
    let a = ArpRepr::request(PEER, OTHER, Ipv4Addr::new(10, 255, 9, 3));
    let mut f = Vec::new();
    frame::arp(&mut f, PEER, [0xff; 6], &a).unwrap();
    f
}

/// Runs `frames` through one batch and returns what it handed over.
fn batch_of(frames: Vec<Vec<u8>>) -> Vec<(Duration, bool)> {
    let (mut link, _peer) = MemoryLink::pair();
    for f in frames {
        link.inject(f);
    }
    let info = InterfaceInfo::new(crate::frame::LinkType::ETHERNET);
    let mut rec = Recorder::new(io::sink(), false, Style::default(), None, &info).unwrap();
    let mut status = io::sink();
    let host = Host {
        iface: "veth9".into(),
        mac: OURS,
        ip: ME,
        answer_arp: true,
        arp: NeighborConfig::default(),
    };
    let mut st = Station::new(host, &mut link, &mut rec, &mut status);
    let mut batch = Batch::new(Duration::ZERO);
    let mut got = Vec::new();
    while let Some(f) = batch.next(&mut st).unwrap() {
        got.push(f);
    }
    assert_eq!(batch.next(&mut st).unwrap(), None, "the turn stays over");
    got
}

#[test]
fn a_batch_hands_over_frames_that_are_not_arp_and_says_who_sent_them() {
    let got = batch_of(vec![udp_frame(PEER), foreign_arp(), udp_frame(OURS)]);
    let from_host: Vec<bool> = got.iter().map(|&(_, h)| h).collect();
    assert_eq!(from_host, [false, true]);
    assert!(got.iter().all(|&(ts, _)| ts > Duration::ZERO));
    assert!(batch_of(Vec::new()).is_empty());
}

#[test]
fn a_batch_reads_at_most_batch_frames_arp_included() {
    let many = (0..BATCH + 6).map(|_| udp_frame(PEER)).collect();
    assert_eq!(batch_of(many).len(), BATCH);
    let mut arp_first: Vec<Vec<u8>> = (0..BATCH).map(|_| foreign_arp()).collect();
    arp_first.push(udp_frame(PEER));
    assert!(batch_of(arp_first).is_empty());
    let mut mixed: Vec<Vec<u8>> = (0..BATCH - 1).map(|_| foreign_arp()).collect();
    mixed.push(udp_frame(PEER));
    assert_eq!(batch_of(mixed).len(), 1);
}
