using System.Text.Json;
using LockboxPortal.Data;
using Microsoft.EntityFrameworkCore;

namespace LockboxPortal.Features.Audit;

/// <summary>What checking a chain against its checkpoints found: the first checkpoint it contradicts, if any.</summary>
public sealed record CheckpointVerification(int Checked, string? Failure)
{
    public bool IsIntact => Failure is null;

    public override string ToString() => Failure ?? (Checked == 0 ? "no checkpoints yet" : $"matches {Checked} signed checkpoint{(Checked == 1 ? "" : "s")}");
}

/// <summary>
/// Takes and checks the signed checkpoints of each chain's head (DESIGN.md rule 13): on a schedule
/// (<see cref="AuditCheckpointTimer"/>) and at every export. Each new checkpoint of a tenant's chain is handed to the
/// outbound seam in the transaction that stores it (message type <see cref="MessageType"/>), so it can reach the
/// tenant; the copy the tenant keeps is what catches someone who also removes checkpoints from the database.
/// </summary>
public sealed class AuditCheckpoints(
    LockboxTransactions transactions,
    IDbContextFactory<LockboxDbContext> dbFactory,
    IOutboundMessages outbound,
    PortalCertificate certificate,
    TimeProvider time)
{
    public const string MessageType = "audit.checkpoint";

    /// <summary>A checkpoint of the chain's head now; the existing one when the head has not moved; null for an empty chain.</summary>
    public Task<AuditCheckpoint?> TakeAsync(Guid chainId, CancellationToken cancellationToken = default) =>
        transactions.RunAsync(async db =>
        {
            var head = await db.AuditEntries.AsNoTracking().Where(e => e.ChainId == chainId).OrderByDescending(e => e.Sequence)
                .Select(e => new { e.Sequence, e.Hash }).FirstOrDefaultAsync(cancellationToken);
            if (head is null)
            {
                return null;
            }

            var latest = await LatestAsync(db, chainId, cancellationToken);
            if (latest is not null && latest.Sequence == head.Sequence && latest.Hash == head.Hash && latest.KeyId == certificate.KeyId)
            {
                return latest;
            }

            var checkpoint = AuditCheckpoint.Sign(certificate, chainId, head.Sequence, head.Hash, time.GetUtcNow());
            db.AuditCheckpoints.Add(checkpoint);
            if (chainId != AuditEntry.ProviderChain)
            {
                await outbound.HandOffAsync(db, new OutboundMessage(MessageType, chainId, chainId.ToString("D"), JsonSerializer.Serialize(checkpoint.ToDocument())), cancellationToken);
            }

            await db.SaveChangesAsync(cancellationToken);
            return checkpoint;
        }, cancellationToken);

    /// <summary>Checkpoints every chain whose head moved since its last checkpoint.</summary>
    public async Task<int> TakeAllAsync(CancellationToken cancellationToken = default)
    {
        List<Guid> chains;
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            chains = await db.AuditEntries.Select(e => e.ChainId).Distinct().ToListAsync(cancellationToken);
        }

        var taken = 0;
        foreach (var chain in chains)
        {
            var before = await LatestIdAsync(chain, cancellationToken);
            taken += (await TakeAsync(chain, cancellationToken))?.Id != before ? 1 : 0;
        }

        return taken;
    }

    /// <summary>
    /// Checks every stored checkpoint of a chain: its signature is the portal certificate's, and the chain still holds
    /// the entry it names with the hash it names. A re-chained entry at or before a checkpoint changes that hash; a cut
    /// below it removes that entry.
    /// </summary>
    public async Task<CheckpointVerification> VerifyAsync(Guid chainId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var checkpoints = await db.AuditCheckpoints.AsNoTracking().Where(c => c.ChainId == chainId).OrderBy(c => c.Sequence).ToListAsync(cancellationToken);
        var count = 0;
        foreach (var checkpoint in checkpoints)
        {
            if (await CheckAsync(db, checkpoint, cancellationToken) is { } failure)
            {
                return new CheckpointVerification(count, failure);
            }

            count++;
        }

        return new CheckpointVerification(count, null);
    }

    /// <summary>Checks one checkpoint handed back from outside (the copy a tenant kept) against the chain as stored now.</summary>
    public async Task<CheckpointVerification> VerifyAsync(AuditCheckpoint checkpoint, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return new CheckpointVerification(1, await CheckAsync(db, checkpoint, cancellationToken));
    }

    private async Task<string?> CheckAsync(LockboxDbContext db, AuditCheckpoint checkpoint, CancellationToken cancellationToken)
    {
        if (!checkpoint.IsSignedBy(certificate))
        {
            return $"the checkpoint of entry {checkpoint.Sequence} taken at {AuditEntry.FormatTimestamp(checkpoint.TakenAt)} is not signed by this portal's certificate (key {certificate.KeyId})";
        }

        var entry = await db.AuditEntries.AsNoTracking().Where(e => e.ChainId == checkpoint.ChainId && e.Sequence == checkpoint.Sequence)
            .Select(e => new { e.Hash }).FirstOrDefaultAsync(cancellationToken);
        if (entry is null)
        {
            return $"entry {checkpoint.Sequence}, signed as the head at {AuditEntry.FormatTimestamp(checkpoint.TakenAt)}, is gone: the chain was cut";
        }

        return string.Equals(entry.Hash, checkpoint.Hash, StringComparison.Ordinal)
            ? null
            : $"entry {checkpoint.Sequence} no longer has the hash signed at {AuditEntry.FormatTimestamp(checkpoint.TakenAt)}: the chain was re-written";
    }

    private static Task<AuditCheckpoint?> LatestAsync(LockboxDbContext db, Guid chainId, CancellationToken cancellationToken) =>
        db.AuditCheckpoints.AsNoTracking().Where(c => c.ChainId == chainId).OrderByDescending(c => c.Sequence).ThenByDescending(c => c.Id).FirstOrDefaultAsync(cancellationToken);

    private async Task<long?> LatestIdAsync(Guid chainId, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return (await LatestAsync(db, chainId, cancellationToken))?.Id;
    }
}

/// <summary>
/// Takes checkpoints on a schedule (<c>Audit:Checkpoints:IntervalMinutes</c>, default 60), of every chain whose head
/// moved. Sleeps on the injected clock, so tests move time instead of waiting.
/// </summary>
public sealed class AuditCheckpointTimer(IServiceScopeFactory scopes, TimeProvider time, ILogger<AuditCheckpointTimer> logger, IConfiguration? configuration = null) : BackgroundService
{
    public TimeSpan Interval { get; } = TimeSpan.FromMinutes(Math.Max(1, configuration?.GetValue("Audit:Checkpoints:IntervalMinutes", 60) ?? 60));

    /// <summary>Raised after every scheduled pass with the number of checkpoints taken.</summary>
    public event Action<int>? PassCompleted;

    /// <summary>Raised once the timer sleeps until its next pass (the sleep already counts on the clock).</summary>
    public event Action? Sleeping;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var sleep = Task.Delay(Interval, time, stoppingToken);
                Sleeping?.Invoke();
                await sleep;
            }
            catch (OperationCanceledException)
            {
                return;
            }

            try
            {
                await using var scope = scopes.CreateAsyncScope();
                var taken = await scope.ServiceProvider.GetRequiredService<AuditCheckpoints>().TakeAllAsync(stoppingToken);
                PassCompleted?.Invoke(taken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogError(ex, "Taking audit checkpoints failed; trying again in {Interval}.", Interval);
            }
        }
    }
}
