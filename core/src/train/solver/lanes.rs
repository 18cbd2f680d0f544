//! Explicit vector lanes: four `f64` (or eight `f32`) as an AVX2 register where the
//! CPU has one, else as arrays, with the same IEEE operations lane by lane.

/// Arithmetic on four `f64` lanes (and on eight `f32` lanes, for
/// [`Tiles`](super::tiles::Tiles) in single precision): an AVX2 register where the CPU
/// has one, else an array. Both do the same IEEE operations lane by lane (`f64`: a
/// multiply and an add, never fused; `f32`: a fused multiply-add, `f32::mul_add` in the
/// arrays, correctly rounded like the instruction), so results are bit-identical; the
/// explicit vectors only spare the kernels from the compiler's choice of how to
/// vectorise them (left alone, it transposed [`dot_rows`](super::kernels::dot_rows)
/// across rows with a shuffle per load).
pub(super) trait Lanes: Copy {
    type V: Copy;
    fn zero(self) -> Self::V;
    fn load(self, a: &[f64; 4]) -> Self::V;
    fn store(self, v: Self::V) -> [f64; 4];
    fn add(self, a: Self::V, b: Self::V) -> Self::V;
    fn mul(self, a: Self::V, b: Self::V) -> Self::V;
    type V8: Copy;
    fn zero8(self) -> Self::V8;
    fn load8(self, a: &[f32; 8]) -> Self::V8;
    fn splat8(self, a: f32) -> Self::V8;
    fn store8(self, v: Self::V8) -> [f32; 8];
    /// `a * b + c` rounded once (a fused multiply-add).
    fn fma8(self, a: Self::V8, b: Self::V8, c: Self::V8) -> Self::V8;
}

/// [`Lanes`] as arrays.
#[derive(Clone, Copy)]
struct ArrayLanes;

impl Lanes for ArrayLanes {
    type V = [f64; 4];
    #[inline(always)]
    fn zero(self) -> [f64; 4] {
        [0.0; 4]
    }
    #[inline(always)]
    fn load(self, a: &[f64; 4]) -> [f64; 4] {
        *a
    }
    #[inline(always)]
    fn store(self, v: [f64; 4]) -> [f64; 4] {
        v
    }
    #[inline(always)]
    fn add(self, a: [f64; 4], b: [f64; 4]) -> [f64; 4] {
        [a[0] + b[0], a[1] + b[1], a[2] + b[2], a[3] + b[3]]
    }
    #[inline(always)]
    fn mul(self, a: [f64; 4], b: [f64; 4]) -> [f64; 4] {
        [a[0] * b[0], a[1] * b[1], a[2] * b[2], a[3] * b[3]]
    }
    type V8 = [f32; 8];
    #[inline(always)]
    fn zero8(self) -> [f32; 8] {
        [0.0; 8]
    }
    #[inline(always)]
    fn load8(self, a: &[f32; 8]) -> [f32; 8] {
        *a
    }
    #[inline(always)]
    fn splat8(self, a: f32) -> [f32; 8] {
        [a; 8]
    }
    #[inline(always)]
    fn store8(self, v: [f32; 8]) -> [f32; 8] {
        v
    }
    #[inline(always)]
    fn fma8(self, a: [f32; 8], b: [f32; 8], c: [f32; 8]) -> [f32; 8] {
        let mut o = c;
        for ((x, y), z) in o.iter_mut().zip(a).zip(b) {
            *x = y.mul_add(z, *x);
        }
        o
    }
}

#[cfg(target_arch = "x86_64")]
impl Lanes for pulp::x86::V3 {
    type V = pulp::f64x4;
    #[inline(always)]
    fn zero(self) -> pulp::f64x4 {
        pulp::Simd::splat_f64s(self, 0.0)
    }
    #[inline(always)]
    fn load(self, a: &[f64; 4]) -> pulp::f64x4 {
        pulp::cast(*a)
    }
    #[inline(always)]
    fn store(self, v: pulp::f64x4) -> [f64; 4] {
        pulp::cast(v)
    }
    #[inline(always)]
    fn add(self, a: pulp::f64x4, b: pulp::f64x4) -> pulp::f64x4 {
        pulp::Simd::add_f64s(self, a, b)
    }
    #[inline(always)]
    fn mul(self, a: pulp::f64x4, b: pulp::f64x4) -> pulp::f64x4 {
        pulp::Simd::mul_f64s(self, a, b)
    }
    type V8 = pulp::f32x8;
    #[inline(always)]
    fn zero8(self) -> pulp::f32x8 {
        pulp::Simd::splat_f32s(self, 0.0)
    }
    #[inline(always)]
    fn load8(self, a: &[f32; 8]) -> pulp::f32x8 {
        pulp::cast(*a)
    }
    #[inline(always)]
    fn splat8(self, a: f32) -> pulp::f32x8 {
        pulp::Simd::splat_f32s(self, a)
    }
    #[inline(always)]
    fn store8(self, v: pulp::f32x8) -> [f32; 8] {
        pulp::cast(v)
    }
    #[inline(always)]
    fn fma8(self, a: pulp::f32x8, b: pulp::f32x8, c: pulp::f32x8) -> pulp::f32x8 {
        pulp::Simd::mul_add_f32s(self, a, b, c)
    }
}

/// Runs `f` with the [`Lanes`] of `simd`: AVX2 registers when `simd` is pulp's AVX2
/// level (the type test folds away when the operation is compiled for it), else
/// arrays.
#[inline(always)]
pub(super) fn lanes<S: pulp::Simd, R>(simd: S, f: impl LanesFn<R>) -> R {
    #[cfg(target_arch = "x86_64")]
    if let Some(&v3) = (&simd as &dyn std::any::Any).downcast_ref::<pulp::x86::V3>() {
        return f.call(v3);
    }
    let _ = simd;
    f.call(ArrayLanes)
}

/// A kernel generic over its [`Lanes`] (closures cannot be generic).
pub(super) trait LanesFn<R> {
    fn call<L: Lanes>(self, ops: L) -> R;
}
