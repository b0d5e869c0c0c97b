using System.Collections;
using System.Security.Claims;
using System.Text.Json;
using LockboxPortal.Features.Approvers;
using LockboxPortal.Features.Audit;
using LockboxPortal.Features.Tenants;
using Microsoft.EntityFrameworkCore;

namespace LockboxPortal.Tests.Infrastructure;

/// <summary>What a cell of an authorization matrix expects an operation to do.</summary>
public enum Outcome
{
    Allowed,

    /// <summary>Refused as forbidden: the person may know the thing exists.</summary>
    Forbidden,

    /// <summary>Refused as not found: the person may not even know the thing exists.</summary>
    NotFound,

    /// <summary>The person may try, and a delegation rule refuses (a control attempt, recorded with its rule's code).</summary>
    RuleRefused,

    /// <summary>A list whose contract answers a refusal with no rows; the refusal is recorded all the same.</summary>
    EmptyRefused,
}

/// <summary>
/// Runs one cell of a role x tenant x operation matrix through the services and checks it: an allowed cell succeeds
/// (and a command changes something); a refused cell is refused, changes nothing (approver lists, policies,
/// delegations, memberships, people, invitations, tenants, the audit trail) and records exactly one refusal, by the
/// person acting — none for an anonymous caller, who cannot be named.
/// </summary>
internal static class AuthorizationMatrix
{
    public const string Anonymous = "anonymous";

    /// <summary>A TenantAdmin of Contoso, off the approver list, holding an active delegation from approver1.</summary>
    public const string ContosoDelegate = "contoso-delegate";

    /// <summary>A TenantAdmin of Northwind who is not on its approver list, holding an active delegation from its approver.</summary>
    public const string NorthwindAdmin = "northwind-admin";

    /// <summary>
    /// The actors every matrix covers: each role, both kinds of TenantAdmin, a delegate, the MSP operator (a TenantAdmin
    /// on both tenants' approver lists), and nobody signed in.
    /// </summary>
    public static readonly string[] Actors =
    [
        Cast.Engineer, Cast.Manager, Cast.Admin, Cast.Approver1, Cast.ContosoAdminNotApprover, ContosoDelegate, Cast.ContosoOfficer, Cast.Operator,
        Anonymous,
    ];

    public static ClaimsPrincipal Principal(string actor) =>
        actor == Anonymous ? new ClaimsPrincipal(new ClaimsIdentity()) : ServiceHarness.As(actor);

    /// <summary>
    /// The extra cast the matrices need, and one active delegation in each tenant; returns their ids (Contoso, Northwind).
    /// The operator joins only for their own cells (<paramref name="actor"/>): one more approver in each tenant would
    /// change what the other cells count.
    /// </summary>
    public static async Task<(Guid Contoso, Guid Northwind)> SeedAsync(ServiceHarness harness, string? actor = null)
    {
        if (actor == Cast.Operator)
        {
            await harness.AddOperatorAsync();
        }

        await using var db = harness.NewContext();
        foreach (var (id, tenant) in new[] { (ContosoDelegate, harness.Contoso), (NorthwindAdmin, harness.Northwind) })
        {
            db.Users.Add(new PortalUser { Id = id, UserName = id, Email = $"{id}@test", DisplayName = id });
            db.Memberships.Add(new Membership(id, tenant, PortalRole.TenantAdmin));
        }

        var contoso = SeededDelegation(harness, harness.Contoso, Cast.Approver1, ContosoDelegate);
        var northwind = SeededDelegation(harness, harness.Northwind, Cast.NorthwindApprover, NorthwindAdmin);
        db.Delegations.AddRange(contoso, northwind);
        await db.SaveChangesAsync();
        return (contoso.Id, northwind.Id);
    }

    private static Delegation SeededDelegation(ServiceHarness harness, Guid tenant, string delegator, string @delegate) =>
        Delegation.Create(Guid.NewGuid(), tenant,
            new DelegationParties(new Actor(delegator, delegator), true, false, new Actor(@delegate, @delegate), true),
            null, ServiceHarness.Start.AddDays(1), "Seeded for the matrix.", new Actor(delegator, delegator), harness.Time.GetUtcNow());

    /// <summary>Runs <paramref name="operation"/> as <paramref name="actor"/> and checks the cell; returns what it answered when allowed.</summary>
    public static async Task<object?> AssertCellAsync(
        ServiceHarness harness, string actor, Func<ClaimsPrincipal, Task<object?>> operation, Outcome expected, bool changes, string cell)
    {
        var before = await StateAsync(harness);
        var refusalsBefore = (await RefusalsAsync(harness)).Count;
        object? answer = null;
        var thrown = await Record.ExceptionAsync(async () => answer = await operation(Principal(actor)));
        var after = await StateAsync(harness);
        var refusals = (await RefusalsAsync(harness)).Skip(refusalsBefore).ToList();

        if (expected == Outcome.Allowed)
        {
            Assert.True(thrown is null, $"{cell}: expected allowed, got {thrown?.GetType().Name}: {thrown?.Message}");
            Assert.True(refusals.Count == 0, $"{cell}: an allowed operation recorded a refusal");
            Assert.True(changes ? before != after : before == after, $"{cell}: {(changes ? "an allowed command changed nothing" : "a read changed something")}");
            return answer;
        }

        var (type, reason) = expected switch
        {
            Outcome.Forbidden => (typeof(ForbiddenException), "forbidden"),
            Outcome.NotFound => (typeof(NotFoundException), "not-found"),
            Outcome.RuleRefused => (typeof(DelegationRefusedException), (thrown as LockboxRuleException)?.Code),
            Outcome.EmptyRefused => (null, "forbidden"),
            _ => throw new ArgumentOutOfRangeException(nameof(expected)),
        };
        Assert.True(thrown?.GetType() == type, $"{cell}: expected {type?.Name ?? "an empty answer"}, got {thrown?.GetType().Name ?? "allowed"}");
        if (expected == Outcome.EmptyRefused)
        {
            Assert.True(answer is IEnumerable rows && !rows.Cast<object>().Any(), $"{cell}: a refused list answered with rows");
        }

        Assert.True(before == after, $"{cell}: a refused operation changed something");
        if (actor == Anonymous)
        {
            Assert.True(refusals.Count == 0, $"{cell}: an anonymous attempt has nobody to record");
            return null;
        }

        var refusal = Assert.Single(refusals);
        Assert.Equal(actor, refusal.ActorId);
        using var details = JsonDocument.Parse(refusal.DetailsJson);
        Assert.True(details.RootElement.GetProperty("reason").GetString() == reason, $"{cell}: recorded as {details.RootElement.GetProperty("reason")}");
        return null;
    }

    /// <summary>Everything an operation of these features could change, as text, so two states compare with ==.</summary>
    public static async Task<string> StateAsync(ServiceHarness harness)
    {
        await using var db = harness.NewContext();
        var lines = new List<string>();
        lines.AddRange((await db.Tenants.AsNoTracking().ToListAsync()).Select(t => $"tenant {t.Id} {t.Name} {t.IsActive} {PolicySnapshot.Of(t.Policy)}"));
        lines.AddRange((await db.Users.AsNoTracking().ToListAsync()).Select(u => $"user {u.Id} {u.IsActive} {u.SecurityStamp}"));
        lines.AddRange((await db.Memberships.AsNoTracking().ToListAsync()).Select(m => $"member {m.UserId} {m.TenantId} {m.Role}"));
        lines.AddRange((await db.ApproverListEntries.AsNoTracking().ToListAsync()).Select(e => $"approver {e.TenantId} {e.UserId}"));
        lines.AddRange((await db.Delegations.AsNoTracking().ToListAsync()).Select(d => $"delegation {d.Id} {d.DelegatorId} {d.DelegateId} {d.RevokedAt:O} {d.Version}"));
        lines.AddRange((await db.Invitations.AsNoTracking().ToListAsync()).Select(i => $"invitation {i.Id} {i.Email} {i.RevokedAt:O} {i.AcceptedAt:O}"));
        lines.AddRange((await db.AuditEntries.AsNoTracking().Where(e => e.EventType != AuditEventType.Operation_Refused).ToListAsync())
            .Select(e => $"audit {e.ChainId} {e.Sequence} {e.EventType}"));
        return string.Join("\n", lines.Order(StringComparer.Ordinal));
    }

    private static async Task<List<AuditEntry>> RefusalsAsync(ServiceHarness harness)
    {
        await using var db = harness.NewContext();
        return await db.AuditEntries.AsNoTracking().Where(e => e.EventType == AuditEventType.Operation_Refused).OrderBy(e => e.Id).ToListAsync();
    }
}
