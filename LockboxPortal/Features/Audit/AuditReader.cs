using System.Runtime.CompilerServices;
using LockboxPortal.Data;
using Microsoft.EntityFrameworkCore;

namespace LockboxPortal.Features.Audit;

/// <summary>
/// Reads the audit trail: pages, streams, verification. It does not authorize; <see cref="AuditService"/> does
/// that for people, and the command line is for operators who already hold the database file.
/// All reads walk the (ChainId, Sequence) index in batches, so a chain of any length is never loaded at once.
/// </summary>
public sealed class AuditReader(IDbContextFactory<LockboxDbContext> dbFactory)
{
    public const int BatchSize = 1000;

    /// <summary>The subject type the request service writes for access requests.</summary>
    public const string RequestSubject = "AccessRequest";

    public async Task<AuditPage> PageAsync(AuditQuery query, AuditPageRequest page, CancellationToken cancellationToken = default)
    {
        var size = Math.Clamp(page.Size, 1, AuditPageRequest.MaxSize);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var filtered = await FilterAsync(db, query, cancellationToken);
        if (page.After is { } after)
        {
            var newer = await filtered.Where(e => e.Sequence > after).OrderBy(e => e.Sequence).Take(size + 1).ToListAsync(cancellationToken);
            var hasNewer = newer.Count > size;
            var entries = newer.Take(size).Reverse().ToList();
            return new AuditPage(entries, HasOlder: true, hasNewer);
        }

        var older = filtered;
        if (page.Before is { } before)
        {
            older = older.Where(e => e.Sequence < before);
        }

        var rows = await older.OrderByDescending(e => e.Sequence).Take(size + 1).ToListAsync(cancellationToken);
        return new AuditPage(rows.Take(size).ToList(), HasOlder: rows.Count > size, HasNewer: page.Before is not null);
    }

    /// <summary>The entries that match, oldest first, up to <paramref name="upTo"/> (inclusive) when given.</summary>
    public async IAsyncEnumerable<AuditEntry> StreamAsync(
        AuditQuery query, long? upTo = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var filtered = await FilterAsync(db, query, cancellationToken);
        if (upTo is { } last)
        {
            filtered = filtered.Where(e => e.Sequence <= last);
        }

        long after = 0;
        while (true)
        {
            var batch = await filtered.Where(e => e.Sequence > after).OrderBy(e => e.Sequence).Take(BatchSize).ToListAsync(cancellationToken);
            foreach (var entry in batch)
            {
                yield return entry;
            }

            if (batch.Count < BatchSize)
            {
                yield break;
            }

            after = batch[^1].Sequence;
        }
    }

    /// <summary>The sequence number of the newest entry of a chain; 0 when it is empty.</summary>
    public async Task<long> HeadAsync(Guid chainId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.AuditEntries.Where(e => e.ChainId == chainId).MaxAsync(e => (long?)e.Sequence, cancellationToken) ?? 0;
    }

    /// <summary>Recomputes a whole chain, one batch at a time.</summary>
    public Task<AuditVerification> VerifyAsync(Guid chainId, CancellationToken cancellationToken = default) =>
        AuditVerifier.VerifyAsync(chainId, StreamAsync(new AuditQuery(chainId == AuditEntry.ProviderChain ? null : chainId), cancellationToken: cancellationToken), cancellationToken);

    /// <summary>Every chain: the provider's, every tenant's (even when empty), and any chain whose tenant is gone.</summary>
    public async Task<IReadOnlyList<AuditChainInfo>> ListChainsAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var tenants = await db.Tenants.AsNoTracking().OrderBy(t => t.ShortName).Select(t => new { t.Id, t.Name, t.ShortName }).ToListAsync(cancellationToken);
        var chainIds = await db.AuditEntries.Select(e => e.ChainId).Distinct().ToListAsync(cancellationToken);
        var chains = new List<AuditChainInfo> { new(null, "Provider", AuditChainInfo.ProviderShortName) };
        chains.AddRange(tenants.Select(t => new AuditChainInfo(t.Id, t.Name, t.ShortName)));
        chains.AddRange(chainIds
            .Where(id => id != AuditEntry.ProviderChain && tenants.All(t => t.Id != id))
            .Select(id => new AuditChainInfo(id, $"Unknown tenant {id}", id.ToString())));
        return chains;
    }

    private static async Task<IQueryable<AuditEntry>> FilterAsync(LockboxDbContext db, AuditQuery query, CancellationToken cancellationToken)
    {
        var chainId = query.ChainId;
        var entries = db.AuditEntries.AsNoTracking().Where(e => e.ChainId == chainId);
        if (query.From is { } from)
        {
            entries = entries.Where(e => e.OccurredAt >= from);
        }

        if (query.To is { } to)
        {
            entries = entries.Where(e => e.OccurredAt < to);
        }

        if (query.EventType is { } type)
        {
            entries = entries.Where(e => e.EventType == type);
        }

        if (!string.IsNullOrWhiteSpace(query.Actor))
        {
            var actor = query.Actor.Trim();
            // Lower-cased on both sides: LIKE ignores case on SQLite but not on PostgreSQL.
            var pattern = $"%{EscapeLike(actor)}%".ToLowerInvariant();
            entries = entries.Where(e => e.ActorId == actor || e.OnBehalfOfId == actor
                || EF.Functions.Like(e.ActorName.ToLower(), pattern, "\\") || EF.Functions.Like(e.OnBehalfOfName!.ToLower(), pattern, "\\"));
        }

        if (!string.IsNullOrWhiteSpace(query.RequestReference))
        {
            // Entries name a request by its id; refusals sometimes by its reference.
            var reference = query.RequestReference.Trim();
            var requests = db.AccessRequests.Where(r => r.Reference == reference);
            if (query.TenantId is { } tenantId)
            {
                requests = requests.Where(r => r.TenantId == tenantId);
            }

            var subjects = (await requests.Select(r => r.Id).ToListAsync(cancellationToken)).Select(id => id.ToString()).Append(reference).ToList();
            entries = entries.Where(e => e.SubjectType == RequestSubject && subjects.Contains(e.SubjectId));
        }

        return entries;
    }

    private static string EscapeLike(string value) =>
        value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("%", "\\%", StringComparison.Ordinal).Replace("_", "\\_", StringComparison.Ordinal);
}
