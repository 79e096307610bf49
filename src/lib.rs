//! netsim facade (filled in below).
