//! Issue 8.1: evaluation allocates nothing on the hot path.
//!
//! A counting global allocator (its own test binary, so it does not see the
//! other suites) measures the allocations of `PolicySet::authorize` once the
//! policies are compiled and the request is built.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use s3guard::{Decision, Policy, PolicySet, Request};

struct Counting;

thread_local! {
    static COUNT: Cell<usize> = const { Cell::new(0) };
}

// The allocator only forwards to `System` and counts; the crate's
// `forbid(unsafe_code)` covers the library, not this test harness.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let _ = COUNT.try_with(|c| c.set(c.get() + 1));
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let _ = COUNT.try_with(|c| c.set(c.get() + 1));
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Allocations made by `f` on this thread.
fn allocations<T>(f: impl FnOnce() -> T) -> (T, usize) {
    let before = COUNT.with(Cell::get);
    let out = f();
    let after = COUNT.with(Cell::get);
    (out, after - before)
}

fn load(path: &str) -> Policy {
    let text = std::fs::read_to_string(path).unwrap();
    Policy::parse(path, &text).unwrap()
}

fn assert_no_allocation(set: &PolicySet, req: &Request, expected: Decision) {
    // The first call may touch lazily built statics (the action catalog).
    let _ = set.authorize(req);
    let (response, n) = allocations(|| set.authorize(req));
    assert_eq!(response.decision, expected, "{req:?}");
    assert_eq!(n, 0, "authorize allocated {n} times for {req:?}");
}

#[test]
fn authorize_allocates_nothing_for_the_rails_policy() {
    let set = PolicySet::identity([load("policies/rails-app.json")]);
    let cases = [
        (
            "s3:PutObject",
            "arn:aws:s3:::another-test-bucket/uploads/a.png",
            Decision::Allowed,
        ),
        (
            "s3:DeleteBucket",
            "arn:aws:s3:::another-test-bucket",
            Decision::ImplicitDeny,
        ),
        ("ec2:RunInstances", "*", Decision::ImplicitDeny),
    ];
    for (action, resource, expected) in cases {
        let req = Request::new(action, resource).unwrap();
        assert_no_allocation(&set, &req, expected);
    }
}

#[test]
fn authorize_allocates_nothing_for_read_only_access() {
    let set = PolicySet::identity([load("policies/read-only-access.json")]);
    let req = Request::new("s3:GetObject", "arn:aws:s3:::prod/a").unwrap();
    assert_no_allocation(&set, &req, Decision::Allowed);
    let req = Request::new("s3:DeleteObject", "arn:aws:s3:::prod/a").unwrap();
    assert_no_allocation(&set, &req, Decision::ImplicitDeny);
}

#[test]
fn authorize_allocates_nothing_with_conditions_and_a_bucket_policy() {
    let identity = Policy::parse(
        "id.json",
        r#"{"Version":"2012-10-17","Statement":[
          {"Effect":"Allow","Action":"s3:*","Resource":"*",
           "Condition":{"StringEquals":{"aws:RequestedRegion":"eu-west-1"},
                        "IpAddress":{"aws:SourceIp":"10.0.0.0/8"},
                        "Bool":{"aws:SecureTransport":"true"}}},
          {"Effect":"Deny","Action":"s3:DeleteBucket","Resource":"*"}]}"#,
    )
    .unwrap();
    let bucket = Policy::parse_as(
        "bucket.json",
        r#"{"Version":"2012-10-17","Statement":[
          {"Effect":"Deny","Principal":"*","Action":"s3:*",
           "Resource":["arn:aws:s3:::prod","arn:aws:s3:::prod/*"],
           "Condition":{"Bool":{"aws:SecureTransport":"false"}}}]}"#,
        s3guard::LoadOptions::new(s3guard::PolicyType::Resource),
    )
    .unwrap();
    let set = PolicySet::builder()
        .identity(identity)
        .resource(bucket)
        .build();
    let req = Request::new("s3:GetObject", "arn:aws:s3:::prod/k")
        .unwrap()
        .with_principal("arn:aws:iam::111122223333:user/app")
        .unwrap()
        .with_resource_account("111122223333")
        .with_context("aws:RequestedRegion", "eu-west-1")
        .with_context("aws:SourceIp", "10.1.2.3")
        .with_context("aws:SecureTransport", "true");
    assert_no_allocation(&set, &req, Decision::Allowed);
}

#[test]
fn the_counter_sees_allocations() {
    let (v, n) = allocations(|| vec![1u8; 64]);
    assert_eq!(v.len(), 64);
    assert!(n >= 1, "the counting allocator must see a Vec allocation");
}
