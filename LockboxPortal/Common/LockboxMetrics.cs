using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace LockboxPortal.Common;

/// <summary>
/// The portal's own metrics and traces, under one name (<see cref="Name"/>) that OpenTelemetry listens to
/// (Hosting/Telemetry.cs). Instruments are static, as .NET's metering expects: they cost nothing until a listener
/// subscribes. Each is counted where it happens once: a request event where its operation committed (not where
/// another node hears it), an access check where it is answered.
/// </summary>
public static class LockboxMetrics
{
    public const string Name = "LockboxPortal";

    private static readonly Meter Meter = new(Name);

    public static readonly ActivitySource Activities = new(Name);

    private static readonly Counter<long> Requests = Meter.CreateCounter<long>(
        "lockbox.requests", "{request}", "Access requests filed, decided and expired (tag: outcome).");

    private static readonly Counter<long> AccessChecks = Meter.CreateCounter<long>(
        "lockbox.access_checks", "{check}", "Access checks answered (tag: result allowed or refused, reason).");

    private static readonly Histogram<double> PushLatency = Meter.CreateHistogram<double>(
        "lockbox.push.latency", "ms", "From publishing an event on one node to its arrival on another.");

    private static readonly Histogram<double> TimerLag = Meter.CreateHistogram<double>(
        "lockbox.timer.lag", "ms", "How late the deadline timer woke after the moment it planned to.");

    private static long _outboxBacklog;

    internal static readonly ObservableGauge<long> OutboxBacklogGauge = Meter.CreateObservableGauge(
        "lockbox.outbox.backlog", () => Interlocked.Read(ref _outboxBacklog), "{message}",
        "Outbox messages (emails, webhooks) neither sent nor given up, as this node's dispatcher counted them at its last pass.");

    /// <summary>Filed, decided (a stage approved, denied or rejected), expired; other kinds are not counted here.</summary>
    public static void RequestEvent(string kind)
    {
        var outcome = kind switch
        {
            "Filed" => "filed",
            "InternalApproved" or "InternalDenied" or "CustomerApproved" or "CustomerRejected" => "decided",
            "Expired" => "expired",
            _ => null,
        };
        if (outcome is not null)
        {
            Requests.Add(1, new KeyValuePair<string, object?>("outcome", outcome), new KeyValuePair<string, object?>("kind", kind));
        }
    }

    public static void AccessCheck(bool allowed, string reason) =>
        AccessChecks.Add(1, new KeyValuePair<string, object?>("result", allowed ? "allowed" : "refused"), new KeyValuePair<string, object?>("reason", reason));

    public static void Pushed(TimeSpan latency) => PushLatency.Record(Math.Max(0, latency.TotalMilliseconds));

    public static void TimerWoke(TimeSpan lag) => TimerLag.Record(Math.Max(0, lag.TotalMilliseconds));

    public static void OutboxBacklog(long count) => Interlocked.Exchange(ref _outboxBacklog, count);
}
