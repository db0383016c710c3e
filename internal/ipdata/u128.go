package ipdata

import (
	"math/bits"
	"net/netip"
)

// u128 is an address as a number: IPv4 in the low 32 bits, IPv6 in all 128.
type u128 struct{ hi, lo uint64 }

func addrNum(a netip.Addr) u128 {
	if a.Is4() {
		b := a.As4()
		return u128{lo: uint64(b[0])<<24 | uint64(b[1])<<16 | uint64(b[2])<<8 | uint64(b[3])}
	}
	b := a.As16()
	var n u128
	for i := range 8 {
		n.hi = n.hi<<8 | uint64(b[i])
		n.lo = n.lo<<8 | uint64(b[8+i])
	}
	return n
}

// numAddr is addrNum's inverse for the given family.
func numAddr(n u128, v6 bool) netip.Addr {
	if !v6 {
		v := uint32(n.lo)
		return netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)})
	}
	var b [16]byte
	for i := range 8 {
		b[7-i] = byte(n.hi >> (8 * i))
		b[15-i] = byte(n.lo >> (8 * i))
	}
	return netip.AddrFrom16(b)
}

func (a u128) cmp(b u128) int {
	switch {
	case a.hi < b.hi:
		return -1
	case a.hi > b.hi:
		return 1
	case a.lo < b.lo:
		return -1
	case a.lo > b.lo:
		return 1
	}
	return 0
}

func (a u128) less(b u128) bool { return a.cmp(b) < 0 }

// next returns a+1 and whether it wrapped past the top of the space.
func (a u128) next() (u128, bool) {
	lo, c := bits.Add64(a.lo, 1, 0)
	hi, c := bits.Add64(a.hi, 0, c)
	return u128{hi, lo}, c != 0
}

// prev returns a-1; a must not be zero.
func (a u128) prev() u128 {
	lo, b := bits.Sub64(a.lo, 1, 0)
	hi, _ := bits.Sub64(a.hi, 0, b)
	return u128{hi, lo}
}

func (a u128) sub(b u128) u128 {
	lo, br := bits.Sub64(a.lo, b.lo, 0)
	hi, _ := bits.Sub64(a.hi, b.hi, br)
	return u128{hi, lo}
}

// top returns the highest address of a family.
func top(v6 bool) u128 {
	if v6 {
		return u128{^uint64(0), ^uint64(0)}
	}
	return u128{lo: 1<<32 - 1}
}
