using System.Collections.Concurrent;
using LockboxPortal.Data;
using LockboxPortal.Features.AccessRequests;
using LockboxPortal.Features.Audit;
using LockboxPortal.Features.Tenants;
using Microsoft.EntityFrameworkCore;

namespace LockboxPortal.Features.Grants;

/// <summary>What the data plane sends: tenant (id or short name), engineer (user id or email), scope and level.</summary>
public sealed record AccessCheckInput(string? Tenant, string? Engineer, string? Scope, AccessLevel? AccessLevel);

/// <summary>
/// The access check the provider's data plane calls before touching customer content. It takes the candidate
/// requests for the tenant and engineer from the <see cref="IAccessCandidateSource"/> (the <see cref="AccessReadModel"/>,
/// which also knows the engineer's standing, so an allowed check reads no storage) and asks
/// <see cref="AccessDecision.Evaluate"/> — the one decision function — so the API reports the same reason as every
/// other place. Every refusal is audited, coalesced per minute (<see cref="RefusalCoalescer"/>: the first at once, a
/// count of the rest after the minute), and the first allowed use of each grant; later allowed uses are not, so the
/// hot path stays read-only. Every check that names a grant is counted in memory for the grant's page and trail
/// (<see cref="Transparency.CheckCounter"/>).
/// </summary>
public sealed class AccessCheckService(
    IDbContextFactory<LockboxDbContext> dbFactory,
    IAccessCandidateSource candidateSource,
    AccessReadModel readModel,
    LockboxTransactions transactions,
    AuditWriter audit,
    Transparency.CheckCounter checkCounter,
    RefusalCoalescer refusals,
    TimeProvider time)
{
    public const string RefusalSubject = "AccessCheck";

    /// <summary>How long a tenant name or an engineer's email stays resolved to its id; ids never change, names rarely.</summary>
    private static readonly TimeSpan ResolveFor = TimeSpan.FromMinutes(1);

    /// <summary>Grants whose first allowed use is already in the trail (per process; storage decides on a miss).</summary>
    private readonly ConcurrentDictionary<Guid, bool> _firstUseRecorded = new();

    /// <summary>
    /// Tenant and engineer names resolved to ids, so the hot path reads only the candidate requests. Only names are
    /// cached, never a decision: the requests, their status and their windows come from the source on every check.
    /// </summary>
    private readonly ConcurrentDictionary<string, (string? Id, DateTimeOffset At)> _resolved = new(StringComparer.Ordinal);

    public async Task<AccessVerdict> CheckAsync(AccessCheckInput input, Actor caller, ClientInfo? client, CancellationToken cancellationToken = default)
    {
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrWhiteSpace(input.Tenant) || input.Tenant.Length > 200)
        {
            errors["Tenant"] = ["Name the tenant by id or short name."];
        }

        if (string.IsNullOrWhiteSpace(input.Engineer) || input.Engineer.Length > 256)
        {
            errors["Engineer"] = ["Name the engineer by user id or email."];
        }

        if (!ResourceScope.TryParse(input.Scope, out var scope, out var scopeError))
        {
            errors["Scope"] = [scopeError];
        }

        if (input.AccessLevel is null)
        {
            errors["AccessLevel"] = ["Choose read or readWrite."];
        }

        if (errors.Count > 0)
        {
            throw new InvalidInputException(errors);
        }

        var now = time.GetUtcNow();
        var tenantText = await ResolveAsync("t:" + input.Tenant!.Trim().ToLowerInvariant(), now, async () => (await ResolveTenantAsync(input.Tenant!, cancellationToken))?.ToString());
        var tenantId = tenantText is null ? (Guid?)null : Guid.Parse(tenantText);
        var engineerId = await ResolveAsync("e:" + input.Engineer!.Trim(), now, () => ResolveEngineerAsync(input.Engineer!, cancellationToken));
        AccessVerdict verdict;
        if (tenantId is null || engineerId is null)
        {
            verdict = AccessVerdict.Refused(AccessDecisionReason.NoMatchingRequest);
        }
        else
        {
            // Kept by the read model until a directory change: a deactivation or a removed role refuses from the next call on.
            var standing = await readModel.StandingAsync(engineerId, cancellationToken);
            var candidates = await candidateSource.FindAsync(tenantId.Value, engineerId, now, cancellationToken);
            verdict = AccessDecision.Evaluate(new AccessQuery(tenantId.Value, engineerId, scope!, input.AccessLevel!.Value), standing, candidates, now);
        }

        if (verdict.RequestId is { } counted)
        {
            // In memory only: the flusher writes the counts per grant and minute, so this adds no write to the allowed path.
            checkCounter.Count(counted, tenantId!.Value, verdict.IsAllowed, now);
        }

        await RecordAsync(verdict, tenantId, input, caller, client, now, cancellationToken);
        LockboxMetrics.AccessCheck(verdict.IsAllowed, verdict.Reason.ToString());
        return verdict;
    }

    private async Task RecordAsync(AccessVerdict verdict, Guid? tenantId, AccessCheckInput input, Actor caller, ClientInfo? client, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var details = AuditRecord.Details(new
        {
            Allowed = verdict.IsAllowed,
            Reason = verdict.Reason.ToString(),
            verdict.RequestId,
            input.Engineer,
            input.Scope,
            AccessLevel = input.AccessLevel.ToString(),
        });
        if (!verdict.IsAllowed)
        {
            // The first of its kind in a minute is written now; the rest of that minute are counted (RefusalCountFlusher).
            var key = new RefusalCoalescer.Key(caller.UserId, tenantId, input.Engineer!.Trim(), input.Scope!.Trim(), input.AccessLevel.ToString()!, verdict.Reason.ToString());
            if (!refusals.IsFirst(key, caller, client, verdict.RequestId, now))
            {
                return;
            }

            try
            {
                await transactions.RunAsync(db => audit.AppendAsync(db, new AuditRecord(
                    AuditEventType.Grant_AccessChecked, caller, tenantId, RefusalSubject, verdict.RequestId?.ToString() ?? "", details, Client: client), cancellationToken),
                    cancellationToken);
            }
            catch
            {
                refusals.Forget(key, now);
                throw;
            }

            return;
        }

        var requestId = verdict.RequestId!.Value;
        if (_firstUseRecorded.ContainsKey(requestId))
        {
            return;
        }

        // Inside the transaction, so two first uses at the same moment record one entry.
        await transactions.RunAsync(async db =>
        {
            var subjectId = requestId.ToString();
            var recorded = await db.AuditEntries.AnyAsync(
                e => e.SubjectType == RequestGate.Subject && e.SubjectId == subjectId && e.EventType == AuditEventType.Grant_AccessChecked, cancellationToken);
            if (!recorded)
            {
                await audit.AppendAsync(db, new AuditRecord(AuditEventType.Grant_AccessChecked, caller, tenantId, RequestGate.Subject, subjectId, details, Client: client), cancellationToken);
            }
        }, cancellationToken);
        _firstUseRecorded.TryAdd(requestId, true);
    }

    private async Task<string?> ResolveAsync(string key, DateTimeOffset now, Func<Task<string?>> resolve)
    {
        if (_resolved.TryGetValue(key, out var hit) && now - hit.At < ResolveFor)
        {
            return hit.Id;
        }

        var id = await resolve();
        _resolved[key] = (id, now);
        return id;
    }

    private async Task<Guid?> ResolveTenantAsync(string tenant, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        if (Guid.TryParse(tenant, out var id))
        {
            return await db.Tenants.AnyAsync(t => t.Id == id, cancellationToken) ? id : null;
        }

        var shortName = tenant.Trim().ToLowerInvariant();
        return await db.Tenants.Where(t => t.ShortName == shortName).Select(t => (Guid?)t.Id).SingleOrDefaultAsync(cancellationToken);
    }

    private async Task<string?> ResolveEngineerAsync(string engineer, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        if (!engineer.Contains('@', StringComparison.Ordinal))
        {
            return await db.Users.Where(u => u.Id == engineer).Select(u => u.Id).SingleOrDefaultAsync(cancellationToken);
        }

        var normalized = engineer.Trim().ToUpperInvariant();
        return await db.Users.Where(u => u.NormalizedEmail == normalized).Select(u => u.Id).SingleOrDefaultAsync(cancellationToken);
    }
}
