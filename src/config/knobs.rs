//! The tuning knobs of SPEC §3, each a flag and an environment variable (the names the
//! seed used are kept).

use std::time::Duration;

use super::ConfigError;

#[derive(Debug, Clone, clap::Args)]
pub struct Knobs {
    /// Capacity of the recent-operation log.
    #[arg(long, env = "MAX_STORAGE_METRICS_SAMPLES", default_value_t = 10_000)]
    pub max_operations_log: usize,
    /// Operations slower than this (ms) log a SLOW_OPERATION warning.
    #[arg(long, env = "SLOW_OPERATION_MS", default_value_t = 5000.0)]
    pub slow_operation_ms: f64,
    /// Length of the "current" window in seconds (10–3600).
    #[arg(long, env = "RECENT_WINDOW_SECONDS", default_value_t = 300)]
    pub recent_window_seconds: u64,
    /// Per-client-IP requests/second on tool, access-log, snapshot and chat endpoints (0: off).
    #[arg(long, env = "RATE_LIMIT_RPS", default_value_t = 2.0)]
    pub rate_limit_rps: f64,
    /// Burst allowed above the rate.
    #[arg(long, env = "RATE_LIMIT_BURST", default_value_t = 10)]
    pub rate_limit_burst: u32,
    /// Per-client-IP requests/second on the gateway (0: off).
    #[arg(long, env = "GATEWAY_RATE_LIMIT_RPS", default_value_t = 0.0)]
    pub gateway_rate_limit_rps: f64,
    /// Burst allowed above the gateway rate.
    #[arg(long, env = "GATEWAY_RATE_LIMIT_BURST", default_value_t = 100)]
    pub gateway_rate_limit_burst: u32,
    /// Most tool-calling steps of one chat.
    #[arg(long, env = "AGENT_MAX_STEPS", default_value_t = 8)]
    pub agent_max_steps: u32,
    /// Most bytes of one tool result handed to the agent (chat and MCP).
    #[arg(long, env = "AGENT_MAX_TOOL_BYTES", default_value_t = 250_000)]
    pub agent_max_tool_bytes: usize,
    /// Most tool calls run of one model reply; the rest are not run.
    #[arg(long, env = "AGENT_MAX_TOOL_CALLS", default_value_t = 8)]
    pub agent_max_tool_calls: u32,
    /// Most tool calls run in one chat, over all its model replies.
    #[arg(long, env = "AGENT_MAX_CHAT_TOOL_CALLS", default_value_t = 32)]
    pub agent_max_chat_tool_calls: u32,
    /// Most bytes of tool results handed to the agent in one chat.
    #[arg(long, env = "AGENT_MAX_CHAT_TOOL_BYTES", default_value_t = 1_000_000)]
    pub agent_max_chat_tool_bytes: usize,
    /// Longest time one chat may take, seconds: then it answers with what it found.
    #[arg(long, env = "AGENT_CHAT_DEADLINE_SEC", default_value_t = 120.0)]
    pub agent_chat_deadline_sec: f64,
    /// Timeout of one agent call, seconds.
    #[arg(long, env = "DO_AGENT_TIMEOUT_SEC", default_value_t = 60.0)]
    pub agent_timeout_sec: f64,
    /// Retries of a failed agent call.
    #[arg(long, env = "DO_AGENT_RETRIES", default_value_t = 2)]
    pub agent_retries: u32,
    /// Offer the agent's and MCP's writing tools (take_snapshot); read-only when false.
    #[arg(long, env = "AGENT_ALLOW_WRITE", default_value_t = false, action = clap::ArgAction::Set)]
    pub agent_allow_write: bool,
    /// Most bytes read from one access-log object.
    #[arg(long, env = "MAX_LOG_BYTES", default_value_t = 10 * 1024 * 1024)]
    pub max_log_bytes: u64,
    /// Memory for parsed access-log objects kept between queries, bytes.
    #[arg(long, env = "ACCESS_LOG_CACHE_BYTES", default_value_t = 256 * 1024 * 1024)]
    pub access_log_cache_bytes: usize,
    /// Access-log objects fetched at once by one query.
    #[arg(long, env = "ACCESS_LOG_CONCURRENCY", default_value_t = 8)]
    pub access_log_concurrency: usize,
    /// Most log (or snapshot) objects read from the storage for one answer, newest first.
    #[arg(long, env = "ACCESS_LOG_MAX_OBJECTS", default_value_t = 500)]
    pub access_log_max_objects: usize,
    /// Heavy jobs (log parses, searches, snapshot reads, charts) running at once.
    #[arg(long, env = "ACCESS_LOG_JOBS", default_value_t = 4)]
    pub access_log_jobs: usize,
    /// Heavy jobs one tenant may run at once.
    #[arg(long, env = "ACCESS_LOG_JOBS_PER_TENANT", default_value_t = 2)]
    pub access_log_jobs_per_tenant: usize,
    /// Bytes one heavy job may hold (objects read and their summaries).
    #[arg(long, env = "ACCESS_LOG_JOB_BYTES", default_value_t = 192 * 1024 * 1024)]
    pub access_log_job_bytes: usize,
    /// How long a tenant's bucket list is cached, seconds.
    #[arg(long, env = "BUCKET_CACHE_TTL_SEC", default_value_t = 300)]
    pub bucket_cache_ttl_sec: u64,
    /// Timeout of one upstream S3 operation, seconds.
    #[arg(long, env = "S3_TIMEOUT_SEC", default_value_t = 30.0)]
    pub s3_timeout_sec: f64,
    /// Distinct bucket label values before the rest fold into __other__ (0: no bucket label).
    #[arg(long, env = "MAX_BUCKET_LABELS", default_value_t = 500)]
    pub max_bucket_labels: usize,
    /// Storage clients kept (one per tenant credential).
    #[arg(long, env = "CLIENT_CACHE_SIZE", default_value_t = 256)]
    pub client_cache_size: usize,
    /// Tries of one wrong admin key (or /metrics bearer token) a client may send before it
    /// must wait; one more is allowed every 6 seconds. The right key is never refused.
    #[arg(long, env = "ADMIN_KEY_FAILURE_BURST", default_value_t = 10)]
    pub admin_key_failure_burst: u32,
    /// Open client connections at most; at the cap, new clients wait to be accepted.
    #[arg(long, env = "MAX_CONNECTIONS", default_value_t = 1024)]
    pub max_connections: usize,
    /// Open connections one client address (IPv6: its /64) may hold; a further one is
    /// closed at once (0: no cap). Trusted proxies are exempt.
    #[arg(long, env = "MAX_CONNECTIONS_PER_IP", default_value_t = 256)]
    pub max_connections_per_ip: usize,
    /// Seconds a new connection has to send its first byte before it is closed.
    #[arg(long, env = "FIRST_BYTE_TIMEOUT_SEC", default_value_t = 10.0)]
    pub first_byte_timeout_sec: f64,
    /// Seconds a response may wait for the client to take any of it; then the connection
    /// is closed and the response (a gateway body and its upstream connection) dropped.
    #[arg(long, env = "WRITE_TIMEOUT_SEC", default_value_t = 30.0)]
    pub write_timeout_sec: f64,
    /// Seconds a client has to send a whole request head once it started one (and the
    /// longest pause inside a /chat or /mcp request body).
    #[arg(long, env = "HEADER_READ_TIMEOUT_SEC", default_value_t = 10.0)]
    pub header_read_timeout_sec: f64,
    /// Seconds an idle keep-alive connection (or a new one without a request) stays open.
    #[arg(long, env = "KEEPALIVE_TIMEOUT_SEC", default_value_t = 75.0)]
    pub keepalive_timeout_sec: f64,
    /// Seconds open connections get to finish on shutdown before they are dropped.
    #[arg(long, env = "SHUTDOWN_DRAIN_SEC", default_value_t = 30.0)]
    pub shutdown_drain_sec: f64,
    /// Seconds between the dashboard's automatic refreshes (1–3600).
    #[arg(long, env = "DASHBOARD_REFRESH_SEC", default_value_t = 30)]
    pub dashboard_refresh_sec: u64,
}

/// `Ok` when `ok`, else `name` must be `rule`.
fn check(ok: bool, name: &'static str, rule: &'static str) -> Result<(), ConfigError> {
    match ok {
        true => Ok(()),
        false => Err(ConfigError::Range { name, rule }),
    }
}

fn positive(name: &'static str, v: f64) -> Result<(), ConfigError> {
    check(v.is_finite() && v > 0.0, name, "a positive number")
}

fn non_negative(name: &'static str, v: f64) -> Result<(), ConfigError> {
    check(v.is_finite() && v >= 0.0, name, "zero or positive")
}

impl Knobs {
    pub(super) fn validate(&self) -> Result<(), ConfigError> {
        check(
            (10..=3600).contains(&self.recent_window_seconds),
            "RECENT_WINDOW_SECONDS",
            "between 10 and 3600",
        )?;
        check(
            self.max_operations_log > 0 && self.client_cache_size > 0,
            "MAX_STORAGE_METRICS_SAMPLES and CLIENT_CACHE_SIZE",
            "at least 1",
        )?;
        check(
            (1..=3600).contains(&self.dashboard_refresh_sec),
            "DASHBOARD_REFRESH_SEC",
            "between 1 and 3600",
        )?;
        non_negative("SLOW_OPERATION_MS", self.slow_operation_ms)?;
        non_negative("RATE_LIMIT_RPS", self.rate_limit_rps)?;
        non_negative("GATEWAY_RATE_LIMIT_RPS", self.gateway_rate_limit_rps)?;
        positive("S3_TIMEOUT_SEC", self.s3_timeout_sec)?;
        positive("HEADER_READ_TIMEOUT_SEC", self.header_read_timeout_sec)?;
        positive("KEEPALIVE_TIMEOUT_SEC", self.keepalive_timeout_sec)?;
        positive("FIRST_BYTE_TIMEOUT_SEC", self.first_byte_timeout_sec)?;
        positive("WRITE_TIMEOUT_SEC", self.write_timeout_sec)?;
        non_negative("SHUTDOWN_DRAIN_SEC", self.shutdown_drain_sec)?;
        for (name, n) in [
            ("ACCESS_LOG_MAX_OBJECTS", self.access_log_max_objects),
            ("ACCESS_LOG_JOBS", self.access_log_jobs),
            (
                "ACCESS_LOG_JOBS_PER_TENANT",
                self.access_log_jobs_per_tenant,
            ),
            ("ACCESS_LOG_JOB_BYTES", self.access_log_job_bytes),
        ] {
            check(n > 0, name, "at least 1")?;
        }
        check(self.max_connections > 0, "MAX_CONNECTIONS", "at least 1")?;
        check(
            self.agent_max_steps > 0 && self.agent_max_tool_bytes >= 1024,
            "AGENT_MAX_STEPS",
            "at least 1 and AGENT_MAX_TOOL_BYTES at least 1024",
        )?;
        check(
            self.agent_max_tool_calls > 0 && self.agent_max_chat_tool_calls > 0,
            "AGENT_MAX_TOOL_CALLS and AGENT_MAX_CHAT_TOOL_CALLS",
            "at least 1",
        )?;
        check(
            self.agent_max_chat_tool_bytes >= 1024,
            "AGENT_MAX_CHAT_TOOL_BYTES",
            "at least 1024",
        )?;
        positive("AGENT_CHAT_DEADLINE_SEC", self.agent_chat_deadline_sec)?;
        positive("DO_AGENT_TIMEOUT_SEC", self.agent_timeout_sec)
    }

    pub fn agent_timeout(&self) -> Duration {
        Duration::from_secs_f64(self.agent_timeout_sec)
    }

    pub fn agent_chat_deadline(&self) -> Duration {
        Duration::from_secs_f64(self.agent_chat_deadline_sec)
    }

    pub fn s3_timeout(&self) -> Duration {
        Duration::from_secs_f64(self.s3_timeout_sec)
    }

    pub fn current_window(&self) -> Duration {
        Duration::from_secs(self.recent_window_seconds)
    }
}
