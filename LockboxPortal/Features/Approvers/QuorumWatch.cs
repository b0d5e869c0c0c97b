using System.Text.Json;
using System.Threading.Channels;
using LockboxPortal.Data;
using LockboxPortal.Features.Audit;
using LockboxPortal.Features.Tenants;
using Microsoft.EntityFrameworkCore;

namespace LockboxPortal.Features.Approvers;

/// <summary>What a tenant's security officers are told when its quorum health drops, and what the trail keeps of it.</summary>
public sealed record QuorumWarning(Guid TenantId, string Name, string Level, int CanDecide, int Quorum, IReadOnlyList<QuorumWarning.Standing> Approvers)
{
    public sealed record Standing(string Name, string Words);

    public static QuorumWarning Of(Tenant tenant, QuorumHealth health) =>
        new(tenant.Id, tenant.Name, health.Level.ToString(), health.CanDecide, health.Quorum,
            health.Approvers.Select(a => new Standing(a.Person.DisplayName, a.Words)).ToList());
}

/// <summary>What one look at some tenants' quorum health did.</summary>
/// <param name="Looked">The tenants whose health was worked out.</param>
/// <param name="Warned">Those whose health dropped (to at risk, or to unmet): a Quorum_AtRisk entry, and email to the officers.</param>
/// <param name="Recorded">Every tenant whose level changed from the one its trail last recorded, warned ones included.</param>
public sealed record QuorumLook(IReadOnlyList<Guid> Looked, IReadOnlyList<Guid> Warned, IReadOnlyList<Guid> Recorded);

/// <summary>
/// Issue 18's quorum health, pushed: when fewer than quorum + 1 of a tenant's approvers can decide (deactivated, no
/// longer a TenantAdmin, no second factor where the tenant requires one, and no active delegate covering), its
/// security officers are emailed, once per drop, and the trail records it (Quorum_AtRisk, by the system). When at
/// least quorum + 1 can decide again the trail records Quorum_Restored, so the next drop warns again.
/// </summary>
/// <remarks>
/// It looks again after every change of who may decide (approver lists, policies, delegations starting, ending or
/// revoked: <see cref="ApproverNotifier"/>; people deactivated, roles or second factors changed:
/// <see cref="DirectoryNotifier"/>), after events may have been missed, and once at start-up. The work runs on its
/// own loop, never inside the publisher's call. Several nodes may look at once: the level last recorded is read inside
/// the transaction that appends to the tenant's chain, and a lost race for the chain's next entry runs the whole look
/// again, so one drop is recorded and mailed once.
/// </remarks>
public sealed class QuorumWatch(
    IServiceScopeFactory scopes,
    ApproverNotifier approvers,
    DirectoryNotifier directory,
    TimeProvider time,
    ILogger<QuorumWatch> logger) : BackgroundService
{
    /// <summary>The outbound message that carries a <see cref="QuorumWarning"/> to the officers' email.</summary>
    public const string MessageType = "Quorum.AtRisk";

    private static readonly AuditEventType[] Recorded = [AuditEventType.Quorum_AtRisk, AuditEventType.Quorum_Restored];

    private readonly Channel<Look> _looks = Channel.CreateUnbounded<Look>(new UnboundedChannelOptions { SingleReader = true });
    private readonly List<IDisposable> _subscriptions = [];

    /// <summary>Raised after every look the loop made, on its own thread.</summary>
    public event Action<QuorumLook>? Looked;

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        _subscriptions.Add(approvers.Subscribe(change => Ask(new Look(change.TenantId, null))));
        _subscriptions.Add(directory.Subscribe(change => Ask(new Look(null, change.UserId))));
        _subscriptions.Add(approvers.OnMissedEvents(() => Ask(Look.Everyone)));
        _looks.Writer.TryWrite(Look.Everyone);
        return base.StartAsync(cancellationToken);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        _subscriptions.ForEach(s => s.Dispose());
        await base.StopAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (await _looks.Reader.WaitToReadAsync(stoppingToken))
            {
                // Everything asked for meanwhile is one look.
                var asked = new List<Look>();
                while (_looks.Reader.TryRead(out var look))
                {
                    asked.Add(look);
                }

                try
                {
                    var look = await LookAsync(asked, stoppingToken);
                    Looked?.Invoke(look);
                }
                catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
                {
                    logger.LogError(ex, "Looking at quorum health failed; the next change looks again");
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    /// <summary>Looks at <paramref name="tenantIds"/> (every active tenant when null) and records and warns where the level changed.</summary>
    public async Task<QuorumLook> LookAsync(IReadOnlyCollection<Guid>? tenantIds, CancellationToken cancellationToken = default) =>
        await LookAsync(tenantIds is null ? [Look.Everyone] : tenantIds.Select(id => new Look(id, null)).ToList(), cancellationToken);

    private async Task<QuorumLook> LookAsync(IReadOnlyList<Look> asked, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var services = scope.ServiceProvider;
        List<Guid> changed;
        List<Guid> looked;
        await using (var db = await services.GetRequiredService<IDbContextFactory<LockboxDbContext>>().CreateDbContextAsync(cancellationToken))
        {
            var tenants = await TenantsAsync(db, asked, cancellationToken);
            looked = tenants.Select(t => t.Id).ToList();
            var health = await QuorumHealth.ForAsync(db, tenants, time.GetUtcNow(), cancellationToken);
            var recorded = await RecordedLevelsAsync(db, looked, cancellationToken);
            changed = looked.Where(id => health[id].Level != recorded.GetValueOrDefault(id, QuorumLevel.Healthy)).ToList();
        }

        var transactions = services.GetRequiredService<LockboxTransactions>();
        var audit = services.GetRequiredService<AuditWriter>();
        var outbound = services.GetRequiredService<IOutboundMessages>();
        var warned = new List<Guid>();
        var recordedNow = new List<Guid>();
        foreach (var tenantId in changed)
        {
            var outcome = await transactions.RunAsync(db => RecordAsync(db, audit, outbound, tenantId, cancellationToken), cancellationToken);
            if (outcome is not null)
            {
                recordedNow.Add(tenantId);
                if (outcome.Value)
                {
                    warned.Add(tenantId);
                }
            }
        }

        return new QuorumLook(looked, warned, recordedNow);
    }

    /// <summary>Inside the chain's transaction: null when the level is the one recorded already, true when it dropped (and the officers are told).</summary>
    private async Task<bool?> RecordAsync(LockboxDbContext db, AuditWriter audit, IOutboundMessages outbound, Guid tenantId, CancellationToken cancellationToken)
    {
        var tenant = await db.Tenants.AsNoTracking().SingleOrDefaultAsync(t => t.Id == tenantId && t.IsActive, cancellationToken);
        if (tenant is null)
        {
            return null;
        }

        var health = (await QuorumHealth.ForAsync(db, [tenant], time.GetUtcNow(), cancellationToken))[tenantId];
        var before = (await RecordedLevelsAsync(db, [tenantId], cancellationToken)).GetValueOrDefault(tenantId, QuorumLevel.Healthy);
        if (health.Level == before)
        {
            return null;
        }

        var warning = QuorumWarning.Of(tenant, health);
        var details = AuditRecord.Details(warning);
        var type = health.Level == QuorumLevel.Healthy ? AuditEventType.Quorum_Restored : AuditEventType.Quorum_AtRisk;
        await audit.AppendAsync(db, new AuditRecord(type, Actor.System, tenantId, "Tenant", tenantId.ToString(), details), cancellationToken);
        var dropped = health.Level > before;
        if (dropped)
        {
            await outbound.HandOffAsync(db, new OutboundMessage(MessageType, tenantId, tenantId.ToString(), details), cancellationToken);
        }

        await db.SaveChangesAsync(cancellationToken);
        return dropped;
    }

    private static async Task<List<Tenant>> TenantsAsync(LockboxDbContext db, IReadOnlyList<Look> asked, CancellationToken cancellationToken)
    {
        var active = db.Tenants.AsNoTracking().Where(t => t.IsActive);
        if (asked.Any(a => a.TenantId is null && a.UserId is null))
        {
            return await active.ToListAsync(cancellationToken);
        }

        var ids = asked.Where(a => a.TenantId is not null).Select(a => a.TenantId!.Value).ToHashSet();
        var people = asked.Where(a => a.UserId is not null).Select(a => a.UserId!).Distinct().ToList();
        if (people.Count > 0)
        {
            // Where a person's standing counts: tenants where they hold a role, sit on the approver list, or delegate or cover.
            ids.UnionWith(await db.Memberships.Where(m => people.Contains(m.UserId) && m.TenantId != null).Select(m => m.TenantId!.Value).ToListAsync(cancellationToken));
            ids.UnionWith(await db.ApproverListEntries.Where(e => people.Contains(e.UserId)).Select(e => e.TenantId).ToListAsync(cancellationToken));
            ids.UnionWith(await db.Delegations.Where(d => people.Contains(d.DelegateId) || people.Contains(d.DelegatorId)).Select(d => d.TenantId).ToListAsync(cancellationToken));
        }

        return await active.Where(t => ids.Contains(t.Id)).ToListAsync(cancellationToken);
    }

    /// <summary>The level each tenant's trail last recorded (healthy when it never recorded one, or last recorded a restore).</summary>
    private static async Task<Dictionary<Guid, QuorumLevel>> RecordedLevelsAsync(LockboxDbContext db, IReadOnlyCollection<Guid> tenantIds, CancellationToken cancellationToken)
    {
        var mine = db.AuditEntries.AsNoTracking().Where(e => tenantIds.Contains(e.ChainId) && Recorded.Contains(e.EventType));
        var last = await mine.Where(e => e.Sequence == mine.Where(o => o.ChainId == e.ChainId).Max(o => o.Sequence))
            .Select(e => new { e.ChainId, e.DetailsJson })
            .ToListAsync(cancellationToken);
        return last.ToDictionary(
            e => e.ChainId,
            e => Enum.Parse<QuorumLevel>(JsonSerializer.Deserialize<QuorumWarning>(e.DetailsJson, JsonSerializerOptions.Web)!.Level));
    }

    private Task Ask(Look look)
    {
        _looks.Writer.TryWrite(look);
        return Task.CompletedTask;
    }

    /// <summary>A tenant to look at, or the tenants where a person's standing counts; neither: every tenant.</summary>
    private sealed record Look(Guid? TenantId, string? UserId)
    {
        public static readonly Look Everyone = new(null, null);
    }
}
