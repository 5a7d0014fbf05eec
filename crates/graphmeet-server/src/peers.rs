//! A cap on the connections one peer (IP address) may hold open at once, so that one client
//! (trickling headers, or simply opening sockets) cannot use up the server's connections.
//! A connection over the cap is closed as soon as it is accepted, before TLS.

use axum_server::accept::Accept;
use std::collections::HashMap;
use std::io;
use std::net::IpAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{SystemTime, UNIX_EPOCH};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;

/// The default cap of `serve --max-connections-per-peer`.
pub const DEFAULT_PER_PEER: usize = 256;

/// How often, at most, a refused connection is logged as a warning (seconds).
const WARN_EVERY_SECS: u64 = 10;

/// An acceptor that counts open connections per peer address and refuses those over the cap
/// (0: no cap).
#[derive(Clone, Debug)]
pub struct PeerLimit {
    per_peer: usize,
    open: Arc<Mutex<HashMap<IpAddr, usize>>>,
    last_warning: Arc<AtomicU64>,
}

impl PeerLimit {
    /// At most `per_peer` connections from one address at once; 0 for no cap.
    pub fn new(per_peer: usize) -> Self {
        Self {
            per_peer,
            open: Arc::default(),
            last_warning: Arc::default(),
        }
    }

    /// How many connections `peer` holds open now.
    pub fn open_from(&self, peer: IpAddr) -> usize {
        self.open
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(&canonical(peer))
            .copied()
            .unwrap_or(0)
    }

    /// Counts a new connection from `peer`, or refuses it when the peer is at the cap.
    fn admit(&self, peer: IpAddr) -> Option<PeerGuard> {
        let peer = canonical(peer);
        let mut open = self.open.lock().unwrap_or_else(|p| p.into_inner());
        let count = open.entry(peer).or_insert(0);
        if self.per_peer != 0 && *count >= self.per_peer {
            drop(open);
            self.warn(peer);
            return None;
        }
        *count += 1;
        Some(PeerGuard {
            peer,
            open: self.open.clone(),
        })
    }

    fn warn(&self, peer: IpAddr) {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0);
        let last = self.last_warning.load(Ordering::Relaxed);
        if now >= last + WARN_EVERY_SECS
            && self
                .last_warning
                .compare_exchange(last, now, Ordering::Relaxed, Ordering::Relaxed)
                .is_ok()
        {
            tracing::warn!(
                %peer,
                cap = self.per_peer,
                "refused a connection: the peer already holds the most connections one peer may (serve --max-connections-per-peer)"
            );
        } else {
            tracing::debug!(%peer, "refused a connection over the per-peer cap");
        }
    }
}

/// An IPv4 peer seen through an IPv6 socket counts as itself.
fn canonical(peer: IpAddr) -> IpAddr {
    match peer {
        IpAddr::V6(v6) => v6
            .to_ipv4_mapped()
            .map(IpAddr::V4)
            .unwrap_or(IpAddr::V6(v6)),
        v4 => v4,
    }
}

/// Releases a peer's count when its connection is dropped.
#[derive(Debug)]
struct PeerGuard {
    peer: IpAddr,
    open: Arc<Mutex<HashMap<IpAddr, usize>>>,
}

impl Drop for PeerGuard {
    fn drop(&mut self) {
        let mut open = self.open.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(count) = open.get_mut(&self.peer) {
            *count = count.saturating_sub(1);
            if *count == 0 {
                open.remove(&self.peer);
            }
        }
    }
}

/// A connection counted against its peer for as long as it lives.
#[derive(Debug)]
pub struct CountedStream {
    stream: TcpStream,
    _guard: PeerGuard,
}

impl<S> Accept<TcpStream, S> for PeerLimit {
    type Stream = CountedStream;
    type Service = S;
    type Future = std::future::Ready<io::Result<(CountedStream, S)>>;

    fn accept(&self, stream: TcpStream, service: S) -> Self::Future {
        let admitted = stream.peer_addr().and_then(|addr| {
            self.admit(addr.ip()).ok_or_else(|| {
                io::Error::new(
                    io::ErrorKind::ConnectionRefused,
                    "too many connections from this peer",
                )
            })
        });
        std::future::ready(admitted.map(|guard| {
            (
                CountedStream {
                    stream,
                    _guard: guard,
                },
                service,
            )
        }))
    }
}

impl AsyncRead for CountedStream {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_read(cx, buf)
    }
}

impl AsyncWrite for CountedStream {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use std::net::{Ipv4Addr, Ipv6Addr};

    #[test]
    fn a_peer_at_the_cap_is_refused_until_one_of_its_connections_closes() {
        let limit = PeerLimit::new(2);
        let a: IpAddr = Ipv4Addr::new(192, 0, 2, 1).into();
        let b: IpAddr = Ipv4Addr::new(192, 0, 2, 2).into();
        let first = limit.admit(a).unwrap();
        let _second = limit.admit(a).unwrap();
        assert!(limit.admit(a).is_none(), "a third from the same peer");
        // The same address through an IPv6 socket is the same peer.
        assert!(limit
            .admit(Ipv4Addr::new(192, 0, 2, 1).to_ipv6_mapped().into())
            .is_none());
        let _other = limit.admit(b).unwrap();
        assert_eq!(limit.open_from(a), 2);
        drop(first);
        assert_eq!(limit.open_from(a), 1);
        let _third = limit.admit(a).unwrap();
        assert!(limit.admit(a).is_none());
    }

    #[test]
    fn zero_means_no_cap_and_closed_peers_are_forgotten() {
        let limit = PeerLimit::new(0);
        let v6: IpAddr = Ipv6Addr::LOCALHOST.into();
        let guards: Vec<_> = (0..1000).map(|_| limit.admit(v6).unwrap()).collect();
        assert_eq!(limit.open_from(v6), 1000);
        drop(guards);
        assert_eq!(limit.open_from(v6), 0);
        assert!(limit.open.lock().unwrap().is_empty());
    }
}
