//! Small fixed-size bit sets: sets of regions of a key, of statements.

/// A set of up to [`Bits::CAPACITY`] small integers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, PartialOrd, Ord)]
pub(crate) struct Bits([u64; 4]);

impl Bits {
    /// Largest element + 1.
    pub(crate) const CAPACITY: usize = 256;

    /// The empty set.
    pub(crate) fn empty() -> Bits {
        Bits([0; 4])
    }

    /// `{0, …, n-1}`.
    pub(crate) fn full(n: usize) -> Bits {
        let mut b = Bits::empty();
        for i in 0..n.min(Bits::CAPACITY) {
            b.insert(i);
        }
        b
    }

    /// Adds an element (ignored past the capacity).
    pub(crate) fn insert(&mut self, i: usize) {
        if let Some(w) = self.0.get_mut(i / 64) {
            *w |= 1u64 << (i % 64);
        }
    }

    /// Whether the element is in the set.
    pub(crate) fn contains(&self, i: usize) -> bool {
        self.0.get(i / 64).is_some_and(|w| (w >> (i % 64)) & 1 == 1)
    }

    /// Intersection.
    pub(crate) fn and(self, o: Bits) -> Bits {
        let mut out = self;
        for (a, b) in out.0.iter_mut().zip(o.0) {
            *a &= b;
        }
        out
    }

    /// Difference.
    pub(crate) fn minus(self, o: Bits) -> Bits {
        let mut out = self;
        for (a, b) in out.0.iter_mut().zip(o.0) {
            *a &= !b;
        }
        out
    }

    /// Whether the set is empty.
    pub(crate) fn is_empty(&self) -> bool {
        self.0.iter().all(|w| *w == 0)
    }

    /// The elements, ascending.
    pub(crate) fn iter(&self) -> impl Iterator<Item = usize> + '_ {
        (0..Bits::CAPACITY).filter(|i| self.contains(*i))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_operations() {
        let mut a = Bits::full(3);
        assert_eq!(a.iter().collect::<Vec<_>>(), vec![0, 1, 2]);
        let mut b = Bits::empty();
        b.insert(1);
        b.insert(200);
        assert_eq!(a.and(b).iter().collect::<Vec<_>>(), vec![1]);
        assert_eq!(a.minus(b).iter().collect::<Vec<_>>(), vec![0, 2]);
        a.insert(300);
        assert!(!a.contains(300));
        assert!(Bits::empty().is_empty());
    }
}
