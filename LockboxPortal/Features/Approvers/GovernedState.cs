using System.Collections;
using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using LockboxPortal.Data;
using LockboxPortal.Features.AccessRequests;
using LockboxPortal.Features.Audit;
using LockboxPortal.Features.Tenants;
using Microsoft.EntityFrameworkCore;

namespace LockboxPortal.Features.Approvers;

/// <summary>
/// What a tenant's officers govern, read from storage: the policy, the approver and escalation lists, the catalogue.
/// Its fingerprint is what a proposed change was made against; its active officers are who may decide one.
/// </summary>
internal static class GovernedState
{
    /// <summary>
    /// SHA-256 over the whole policy (every property, so a field added later counts), the two lists and the catalogue.
    /// Any change applied meanwhile, by whatever path, changes it.
    /// </summary>
    public static async Task<string> FingerprintAsync(LockboxDbContext db, Guid tenantId, CancellationToken cancellationToken)
    {
        var policy = await db.Tenants.AsNoTracking().Where(t => t.Id == tenantId).Select(t => t.Policy).SingleAsync(cancellationToken);
        var approvers = await db.ApproverListEntries.AsNoTracking().Where(e => e.TenantId == tenantId).Select(e => e.UserId).ToListAsync(cancellationToken);
        var escalation = await db.EscalationListEntries.AsNoTracking().Where(e => e.TenantId == tenantId).Select(e => e.UserId).ToListAsync(cancellationToken);
        var catalogue = await db.ScopeCatalogueEntries.AsNoTracking().Where(e => e.TenantId == tenantId).ToListAsync(cancellationToken);
        var state = new
        {
            Policy = policy,
            Approvers = approvers.Order(StringComparer.Ordinal),
            Escalation = escalation.Order(StringComparer.Ordinal),
            Catalogue = catalogue.Select(e => $"{e.Id}|{e.Pattern}|{e.MaxAccessLevel}|{e.MaxDuration:c}").Order(StringComparer.Ordinal),
        };
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(state, JsonSerializerOptions.Web))));
    }

    /// <summary>The tenant's active security officers, by name.</summary>
    public static async Task<IReadOnlyList<Actor>> ActiveOfficersAsync(LockboxDbContext db, Guid tenantId, CancellationToken cancellationToken)
    {
        var users = await db.Memberships.AsNoTracking()
            .Where(m => m.TenantId == tenantId && m.Role == PortalRole.SecurityOfficer)
            .Join(db.Users.Where(u => u.IsActive), m => m.UserId, u => u.Id, (m, u) => u)
            .ToListAsync(cancellationToken);
        return users.Select(u => u.ToActor()).DistinctBy(a => a.UserId).OrderBy(a => a.DisplayName, StringComparer.CurrentCulture).ToList();
    }
}

/// <summary>
/// A policy change in words, property by property: every settable property of <see cref="TenantPolicy"/> is compared,
/// so a field another feature adds shows up in the before → after without anyone listing it here (the label then
/// comes from its name).
/// </summary>
public static class PolicyLines
{
    private static readonly PropertyInfo[] Properties = typeof(TenantPolicy)
        .GetProperties(BindingFlags.Public | BindingFlags.Instance)
        .Where(p => p.CanWrite && p.GetIndexParameters().Length == 0)
        .ToArray();

    private static readonly Dictionary<string, string> Labels = new(StringComparer.Ordinal)
    {
        [nameof(TenantPolicy.RequiredApprovals)] = "Required approvals",
        [nameof(TenantPolicy.PendingLifetime)] = "A pending request lives",
        [nameof(TenantPolicy.MaxGrantDuration)] = "Maximum grant",
        [nameof(TenantPolicy.DefaultGrantDuration)] = "Default grant",
        [nameof(TenantPolicy.RequireTicketReference)] = "Ticket reference required",
        [nameof(TenantPolicy.RequireTwoFactor)] = "Two-factor sign-in for approvers",
        [nameof(TenantPolicy.RequireFreshFactor)] = "A fresh factor with each decision",
        [nameof(TenantPolicy.FreshFactorWindow)] = "A fresh factor is at most",
        [nameof(TenantPolicy.RemindApprovers)] = "Remind approvers",
        [nameof(TenantPolicy.EscalateAfter)] = "Escalate after",
        [nameof(TenantPolicy.RefusedReasons)] = "Refused reasons",
        [nameof(TenantPolicy.StricterReasons)] = "Reasons with a higher quorum",
        [nameof(TenantPolicy.StricterRequiredApprovals)] = "Higher quorum",
        [nameof(TenantPolicy.RequireCatalogue)] = "Only scopes from the catalogue",
        [nameof(TenantPolicy.RequireSecondOfficer)] = "Two-person rule",
    };

    public static IReadOnlyList<ChangeLine> Between(TenantPolicy before, TenantPolicy after) =>
        Properties
            .Select(p => (p.Name, Before: p.GetValue(before), After: p.GetValue(after)))
            .Where(p => !Same(p.Before, p.After))
            .Select(p => new ChangeLine(LabelOf(p.Name), Format(p.Before), Format(p.After)))
            .ToList();

    private static bool Same(object? a, object? b) =>
        a is IEnumerable ea and not string && b is IEnumerable eb and not string
            ? ea.Cast<object?>().SequenceEqual(eb.Cast<object?>())
            : Equals(a, b);

    private static string LabelOf(string name)
    {
        if (Labels.TryGetValue(name, out var label))
        {
            return label;
        }

        var words = AuditSentence.Words(name);
        return words.Length == 0 ? name : char.ToUpperInvariant(words[0]) + words[1..];
    }

    public static string Format(object? value) => value switch
    {
        null => "off",
        bool on => on ? "on" : "off",
        TimeSpan span => Durations.Format(span),
        RequestReasons reasons => reasons == RequestReasons.None ? "none" : string.Join(", ", reasons.Members().Select(r => r.Words())),
        IFormattable formattable => formattable.ToString(null, System.Globalization.CultureInfo.InvariantCulture),
        IEnumerable items and not string => string.Join(", ", items.Cast<object?>().Select(Format)),
        _ => value.ToString() ?? "",
    };
}
