using LockboxPortal.Data;
using LockboxPortal.Features.Audit;
using LockboxPortal.Features.Transparency;
using Microsoft.Extensions.Options;

namespace LockboxPortal.Features.Grants;

/// <summary>
/// Writes the <see cref="RefusalCoalescer"/>'s repeats every <see cref="TransparencyOptions.FlushInterval"/>, on
/// <see cref="TimeProvider"/>: for each key and minute that is over and had refusals after its first, one audit entry
/// (<see cref="AuditEventType.Grant_AccessRefusalsCounted"/>) in the tenant's trail, by the service client that made
/// them, with how many and the last one's time. It flushes the running minute too when the app stops. With several
/// nodes each writes its own entry for what it counted.
/// </summary>
public sealed class RefusalCountFlusher(
    RefusalCoalescer coalescer,
    LockboxTransactions transactions,
    IServiceProvider services,
    IOptions<TransparencyOptions> options,
    TimeProvider time,
    ILogger<RefusalCountFlusher> logger) : PeriodicFlusher(options.Value.FlushInterval, time, logger)
{
    private readonly AuditWriter _audit = AuditWriter.Unscoped(services);

    private readonly SemaphoreSlim _one = new(1, 1);

    protected override string What => "the counted refusals";

    protected override Task FlushDueAsync(bool all, CancellationToken cancellationToken) => FlushAsync(all, cancellationToken);

    /// <summary>Writes the repeats of the minutes that are over (<paramref name="all"/>: the running one too); returns how many entries.</summary>
    public async Task<int> FlushAsync(bool all = false, CancellationToken cancellationToken = default)
    {
        await _one.WaitAsync(cancellationToken);
        try
        {
            var tallies = coalescer.TakeClosed(Time.GetUtcNow(), all);
            if (tallies.Count == 0)
            {
                return 0;
            }

            try
            {
                await transactions.RunAsync(async db =>
                {
                    foreach (var tally in tallies.OrderBy(t => t.Minute))
                    {
                        await _audit.AppendAsync(db, Record(tally), cancellationToken);
                    }
                }, cancellationToken);
            }
            catch
            {
                coalescer.Restore(tallies);
                throw;
            }

            return tallies.Count;
        }
        finally
        {
            _one.Release();
        }
    }

    private static AuditRecord Record(RefusalCoalescer.Tally tally) => new(
        AuditEventType.Grant_AccessRefusalsCounted, tally.Caller, tally.Key.TenantId, AccessCheckService.RefusalSubject, tally.RequestId?.ToString() ?? "",
        AuditRecord.Details(new
        {
            tally.Key.Engineer,
            tally.Key.Scope,
            tally.Key.AccessLevel,
            tally.Key.Reason,
            tally.RequestId,
            tally.Minute,
            tally.FirstAt,
            tally.Repeats,
            tally.LastAt,
        }),
        Client: tally.Client);
}
