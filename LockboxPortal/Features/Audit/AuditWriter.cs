using LockboxPortal.Data;
using Microsoft.EntityFrameworkCore;

namespace LockboxPortal.Features.Audit;

/// <summary>
/// The one place that appends to the audit trail. It adds the entry to the caller's context, so the entry is
/// saved in the same transaction as the change it records, or not at all. It is scoped: an entry whose record names
/// no client gets the scope's (the HTTP request's or the Blazor circuit's), so every operation records where it came
/// from; the timer's and the console's scopes have none, and their entries name none.
/// </summary>
public sealed class AuditWriter(TimeProvider time, LockboxTransactions transactions, IDatabaseProvider database, ClientContext client)
{
    /// <summary>A writer outside any scope, for a singleton that names each entry's client itself (the access check).</summary>
    public static AuditWriter Unscoped(IServiceProvider services) =>
        new(services.GetRequiredService<TimeProvider>(), services.GetRequiredService<LockboxTransactions>(),
            services.GetRequiredService<IDatabaseProvider>(), new ClientContext());

    /// <summary>
    /// Records an attempt that a rule or a permission refused. It is written in a transaction of its own, after the
    /// refused operation has rolled back, so the refusal is kept while the operation itself writes nothing.
    /// </summary>
    public Task RecordRefusalAsync(
        Actor actor, Guid? tenantId, string subjectType, string subjectId, string operation, string reason,
        ClientInfo? client, CancellationToken cancellationToken = default, string? role = null)
    {
        var details = AuditRecord.Details(role is null ? new { Operation = operation, Reason = reason } : new { Operation = operation, Role = role, Reason = reason });
        return transactions.AfterOperationAsync(db => AppendAsync(db, new AuditRecord(
            AuditEventType.Operation_Refused, actor, tenantId, subjectType, subjectId, details, Client: client), cancellationToken), cancellationToken);
    }

    public async Task<AuditEntry> AppendAsync(LockboxDbContext db, AuditRecord record, CancellationToken cancellationToken = default)
    {
        var chainId = record.TenantId ?? AuditEntry.ProviderChain;

        // Entries appended earlier in this same operation are not saved yet; the chain continues from them.
        var unsaved = db.ChangeTracker.Entries<AuditEntry>()
            .Where(e => e.State == EntityState.Added && e.Entity.ChainId == chainId)
            .Select(e => e.Entity)
            .MaxBy(e => e.Sequence);
        if (unsaved is null)
        {
            // Writers of one chain take turns from here to their commit, so the head read below stays the head
            // (on several nodes too); the unique sequence per chain still refuses a fork if anything gets past.
            await database.SerializeAsync(db, $"audit-chain:{chainId}", cancellationToken);
        }

        var (sequence, previousHash) = unsaved is not null
            ? (unsaved.Sequence, unsaved.Hash)
            : await db.AuditEntries.AsNoTracking()
                .Where(e => e.ChainId == chainId)
                .OrderByDescending(e => e.Sequence)
                .Select(e => new ValueTuple<long, string>(e.Sequence, e.Hash))
                .FirstOrDefaultAsync(cancellationToken);

        var stamped = record.Client is null && client.Current is { } current ? record with { Client = current } : record;
        var entry = new AuditEntry(chainId, sequence + 1, time.GetUtcNow(), stamped, previousHash ?? AuditEntry.GenesisHash);
        db.AuditEntries.Add(entry);
        return entry;
    }
}
