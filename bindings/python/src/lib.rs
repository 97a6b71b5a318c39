//! `s3guard._native`: the compiled half of the Python package `s3guard`.
//!
//! The Python half (`python/s3guard/`) gives the API its shape (keyword
//! arguments, dataclasses, exceptions, the pytest plugin); this module only
//! moves data between Python objects and [`engine`], which holds every call
//! into the s3guard library. Answers cross as plain dicts; invalid input
//! raises the exception that `s3guard._errors.from_diagnostics` builds.

#![forbid(unsafe_code)]
#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod engine;

use pyo3::exceptions::{PyIndexError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple};

use engine::{Caller, Expectation, Failure, FailureKind, Layers, Options, Source, Value};
use s3guard::{AccessPointSettings, S3Settings};

/// A policy as Python hands it over: a path, or `(name, json_text)`.
#[derive(FromPyObject)]
enum PySource {
    Path(String),
    Text(String, String),
}

impl From<PySource> for Source {
    fn from(s: PySource) -> Source {
        match s {
            PySource::Path(p) => Source::Path(p),
            PySource::Text(name, text) => Source::Text { name, text },
        }
    }
}

fn sources(v: Vec<PySource>) -> Vec<Source> {
    v.into_iter().map(Source::from).collect()
}

/// Raises the `PolicyError` subclass for an invalid input.
fn raise(py: Python<'_>, f: Failure) -> PyErr {
    let build = || -> PyResult<PyErr> {
        let kind = match f.kind {
            FailureKind::Policy => "policy",
            FailureKind::Request => "request",
            FailureKind::TestFile => "test-file",
        };
        let ds = diagnostics(py, &f.diagnostics)?;
        let err = py
            .import("s3guard._errors")?
            .getattr("from_diagnostics")?
            .call1((kind, ds))?;
        Ok(PyErr::from_value(err))
    };
    build().unwrap_or_else(|e| e)
}

fn diagnostics<'py>(py: Python<'py>, ds: &[engine::Diag]) -> PyResult<Bound<'py, PyList>> {
    let out = PyList::empty(py);
    for d in ds {
        let x = PyDict::new(py);
        x.set_item("severity", d.severity)?;
        x.set_item("code", d.code)?;
        x.set_item("message", &d.message)?;
        x.set_item("file", &d.file)?;
        x.set_item("line", d.line)?;
        x.set_item("column", d.column)?;
        x.set_item("pointer", &d.pointer)?;
        x.set_item("hint", &d.hint)?;
        x.set_item("rendered", &d.rendered)?;
        out.append(x)?;
    }
    Ok(out)
}

/// A context value from Python: a string, a number, a boolean, or a list
/// of them. Booleans become `true`/`false`, numbers their decimal text
/// (as `s3guard can --context` and JSON context files take them).
fn context_text(v: &Bound<'_, PyAny>) -> PyResult<String> {
    if let Ok(s) = v.cast::<PyString>() {
        return Ok(s.to_cow()?.into_owned());
    }
    if let Ok(b) = v.cast::<PyBool>() {
        return Ok(if b.is_true() { "true" } else { "false" }.to_string());
    }
    if v.is_instance_of::<PyInt>() || v.is_instance_of::<PyFloat>() {
        return Ok(v.repr()?.to_cow()?.into_owned());
    }
    Err(PyTypeError::new_err(format!(
        "a context value must be a str, int, float, bool or a list of them, not {}",
        v.get_type().name()?
    )))
}

fn context(ctx: Option<&Bound<'_, PyDict>>) -> PyResult<Vec<(String, Value)>> {
    let Some(ctx) = ctx else {
        return Ok(Vec::new());
    };
    let mut out = Vec::with_capacity(ctx.len());
    for (k, v) in ctx.iter() {
        let key: String = k
            .extract()
            .map_err(|_| PyTypeError::new_err("context keys must be str"))?;
        let value = if v.is_instance_of::<PyList>() || v.is_instance_of::<PyTuple>() {
            let mut items = Vec::new();
            for item in v.try_iter()? {
                items.push(context_text(&item?)?);
            }
            Value::Multi(items)
        } else {
            Value::Single(context_text(&v)?)
        };
        out.push((key, value));
    }
    Ok(out)
}

fn caller(
    principal: Option<String>,
    resource_account: Option<String>,
    ctx: Option<&Bound<'_, PyDict>>,
    at: Option<String>,
    region: Option<String>,
    no_defaults: bool,
) -> PyResult<Caller> {
    Ok(Caller {
        principal,
        resource_account,
        context: context(ctx)?,
        at,
        region,
        no_defaults,
        allow_unknown_action: false,
    })
}

fn value_object<'py>(py: Python<'py>, v: &Value) -> PyResult<Bound<'py, PyAny>> {
    Ok(match v {
        Value::Single(s) => PyString::new(py, s).into_any(),
        Value::Multi(vs) => PyList::new(py, vs)?.into_any(),
    })
}

fn answer_dict<'py>(py: Python<'py>, a: &engine::Answer) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("decision", a.decision)?;
    d.set_item("action", &a.action)?;
    d.set_item("resource", &a.resource)?;
    d.set_item("principal", &a.principal)?;
    d.set_item("resource_account", &a.resource_account)?;
    let deciding = PyList::empty(py);
    for s in &a.deciding {
        let x = PyDict::new(py);
        x.set_item("file", &s.file)?;
        x.set_item("line", s.line)?;
        x.set_item("column", s.column)?;
        x.set_item("sid", &s.sid)?;
        x.set_item("index", s.index)?;
        x.set_item("effect", &s.effect)?;
        x.set_item("policy_type", &s.policy_type)?;
        deciding.append(x)?;
    }
    d.set_item("deciding", deciding)?;
    d.set_item("notes", &a.notes)?;
    d.set_item("missing_keys", &a.missing_keys)?;
    d.set_item("warnings", &a.warnings)?;
    d.set_item("text", &a.text)?;
    Ok(d)
}

/// A compiled policy set (`s3guard.PolicySet` wraps it).
#[pyclass(frozen, module = "s3guard._native")]
struct Policies {
    loaded: engine::Loaded,
}

#[pymethods]
impl Policies {
    #[new]
    #[pyo3(signature = (
        identity, bucket, boundary, session, scps, rcps, vpce,
        not_principal_lenient, management_account, resource_in_management_account,
        canonical_ids, block_public_access, strict,
        access_point=Vec::new(), new_bucket_policy=None, block_public_access_settings=Vec::new(),
        object_owner=None, object_acl=Vec::new(), bucket_acl=Vec::new(), object_ownership=None,
        vpce_type=None, access_point_bucket=None, access_point_bucket_account=None,
        access_point_network_origin=None, access_point_vpc=None
    ))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        identity: Vec<PySource>,
        bucket: Vec<PySource>,
        boundary: Vec<PySource>,
        session: Vec<PySource>,
        scps: Vec<Vec<PySource>>,
        rcps: Vec<Vec<PySource>>,
        vpce: Vec<PySource>,
        not_principal_lenient: bool,
        management_account: bool,
        resource_in_management_account: bool,
        canonical_ids: Vec<(String, String)>,
        block_public_access: bool,
        strict: bool,
        access_point: Vec<PySource>,
        new_bucket_policy: Option<PySource>,
        block_public_access_settings: Vec<(String, bool)>,
        object_owner: Option<String>,
        object_acl: Vec<String>,
        bucket_acl: Vec<String>,
        object_ownership: Option<String>,
        vpce_type: Option<String>,
        access_point_bucket: Option<String>,
        access_point_bucket_account: Option<String>,
        access_point_network_origin: Option<String>,
        access_point_vpc: Option<String>,
    ) -> PyResult<Policies> {
        let layers = Layers {
            identity: sources(identity),
            bucket: sources(bucket),
            boundary: sources(boundary),
            session: sources(session),
            scps: scps.into_iter().map(sources).collect(),
            rcps: rcps.into_iter().map(sources).collect(),
            vpce: sources(vpce),
            access_point: sources(access_point),
            new_bucket_policy: new_bucket_policy.map(Source::from),
        };
        let options = Options {
            not_principal_lenient,
            management_account,
            resource_in_management_account,
            canonical_ids,
            strict,
            s3: S3Settings {
                block_public_access: block_public_access.into(),
                block_public_access_names: block_public_access_settings,
                object_owner,
                object_acl,
                bucket_acl,
                object_ownership,
                vpce_type,
                access_point: AccessPointSettings {
                    bucket: access_point_bucket,
                    bucket_account: access_point_bucket_account,
                    network_origin: access_point_network_origin,
                    vpc: access_point_vpc,
                },
                // set by the loader from the layers given
                has_access_point_policy: false,
            },
        };
        engine::load(&layers, &options)
            .map(|loaded| Policies { loaded })
            .map_err(|f| raise(py, f))
    }

    /// Warnings and suggestions of the policies (list of diagnostic dicts).
    fn warnings<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        diagnostics(py, &self.loaded.warnings)
    }

    /// `s3guard can`: the answer as a dict.
    #[pyo3(signature = (action, resource, principal, resource_account, context, at, region, no_defaults, allow_unknown_action, explain))]
    #[allow(clippy::too_many_arguments)]
    fn can<'py>(
        &self,
        py: Python<'py>,
        action: &str,
        resource: &str,
        principal: Option<String>,
        resource_account: Option<String>,
        context: Option<&Bound<'py, PyDict>>,
        at: Option<String>,
        region: Option<String>,
        no_defaults: bool,
        allow_unknown_action: bool,
        explain: bool,
    ) -> PyResult<Bound<'py, PyDict>> {
        let who = Caller {
            allow_unknown_action,
            ..caller(
                principal,
                resource_account,
                context,
                at,
                region,
                no_defaults,
            )?
        };
        let a = engine::can(&self.loaded.set, action, resource, &who, explain)
            .map_err(|f| raise(py, f))?;
        answer_dict(py, &a)
    }

    /// The Rust assertions: `None` when the decision is as expected, else
    /// the failure message.
    #[pyo3(signature = (expect, action, resource, principal, resource_account, context, at, region, no_defaults))]
    #[allow(clippy::too_many_arguments)]
    fn check(
        &self,
        expect: &str,
        action: &str,
        resource: &str,
        principal: Option<String>,
        resource_account: Option<String>,
        context: Option<&Bound<'_, PyDict>>,
        at: Option<String>,
        region: Option<String>,
        no_defaults: bool,
    ) -> PyResult<Option<String>> {
        let expect = match expect {
            "allow" => Expectation::Allow,
            "deny" => Expectation::Deny,
            "explicit-deny" => Expectation::ExplicitDeny,
            "implicit-deny" => Expectation::ImplicitDeny,
            other => {
                return Err(PyValueError::new_err(format!(
                    "unknown expectation `{other}`"
                )))
            }
        };
        let who = caller(
            principal,
            resource_account,
            context,
            at,
            region,
            no_defaults,
        )?;
        Ok(engine::check(&self.loaded.set, expect, action, resource, &who).err())
    }

    /// `s3guard prove --cannot ACTIONS --on RESOURCES`: the answer as a dict.
    #[pyo3(signature = (actions, resources, principal, resource_account, context))]
    fn prove_cannot<'py>(
        &self,
        py: Python<'py>,
        actions: &str,
        resources: &str,
        principal: Option<String>,
        resource_account: Option<String>,
        context: Option<&Bound<'py, PyDict>>,
    ) -> PyResult<Bound<'py, PyDict>> {
        let who = caller(principal, resource_account, context, None, None, false)?;
        let set = &self.loaded.set;
        let p = py
            .detach(|| engine::prove_cannot(set, actions, resources, &who))
            .map_err(|f| raise(py, f))?;
        let d = PyDict::new(py);
        d.set_item("outcome", p.outcome)?;
        d.set_item("summary", &p.summary)?;
        d.set_item("reason", &p.reason)?;
        d.set_item("actions", &p.actions)?;
        d.set_item("free_keys", &p.free_keys)?;
        d.set_item("approximations", &p.approximations)?;
        match &p.counterexample {
            Some(c) => {
                let x = PyDict::new(py);
                x.set_item("answer", answer_dict(py, &c.answer)?)?;
                let ctx = PyDict::new(py);
                for (k, v) in &c.context {
                    match v {
                        Some(v) => ctx.set_item(k, value_object(py, v)?)?,
                        None => ctx.set_item(k, py.None())?,
                    }
                }
                x.set_item("context", ctx)?;
                x.set_item("can_args", &c.can_args)?;
                d.set_item("counterexample", x)?;
            }
            None => d.set_item("counterexample", py.None())?,
        }
        Ok(d)
    }
}

/// A valid `*.s3guard.json` test file (the pytest plugin runs it).
#[pyclass(frozen, module = "s3guard._native")]
struct TestFile {
    tests: engine::Tests,
    warnings: Vec<engine::Diag>,
}

#[pymethods]
impl TestFile {
    /// Loads and validates a test file; raises `TestFileError` when invalid.
    #[new]
    fn new(py: Python<'_>, path: &str) -> PyResult<TestFile> {
        engine::load_tests(path)
            .map(|(tests, warnings)| TestFile { tests, warnings })
            .map_err(|f| raise(py, f))
    }

    /// The path as messages show it.
    #[getter]
    fn path(&self) -> &str {
        self.tests.path()
    }

    /// Warnings of the file and its policies.
    fn warnings<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        diagnostics(py, &self.warnings)
    }

    /// The cases: name, kind, line, column.
    fn cases<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let out = PyList::empty(py);
        for c in self.tests.cases() {
            let x = PyDict::new(py);
            x.set_item("name", c.name)?;
            x.set_item("kind", c.kind)?;
            x.set_item("line", c.line)?;
            x.set_item("column", c.column)?;
            out.append(x)?;
        }
        Ok(out)
    }

    /// Runs case `index` as `s3guard test` does.
    fn run<'py>(&self, py: Python<'py>, index: usize) -> PyResult<Bound<'py, PyDict>> {
        let tests = &self.tests;
        let r = py
            .detach(|| tests.run(index))
            .ok_or_else(|| PyIndexError::new_err(format!("no case {index}")))?;
        let d = PyDict::new(py);
        d.set_item("status", r.status)?;
        d.set_item("expected", r.expected)?;
        d.set_item("actual", r.actual)?;
        d.set_item("message", r.message)?;
        d.set_item("details", r.details)?;
        d.set_item("notes", r.notes)?;
        Ok(d)
    }
}

/// The compiled half of the `s3guard` package: use `import s3guard`.
#[pymodule]
mod _native {
    #[pymodule_export]
    use super::{Policies, TestFile};
}
