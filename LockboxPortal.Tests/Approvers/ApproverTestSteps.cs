using System.Security.Claims;
using System.Text.Json;
using LockboxPortal.Features.Approvers;
using LockboxPortal.Features.Audit;
using LockboxPortal.Tests.Infrastructure;

namespace LockboxPortal.Tests.Approvers;

/// <summary>Steps the approver tests share, written once so each test reads as its scenario.</summary>
internal static class ApproverTestSteps
{
    public static Task<Delegation> DelegateAsync(
        this ServiceHarness harness,
        ClaimsPrincipal by,
        string delegatorId,
        string delegateId,
        TimeSpan? startsAfter = null,
        TimeSpan? lasts = null,
        string reason = "Away on holiday.",
        Guid? tenant = null)
    {
        var now = harness.Time.GetUtcNow();
        var start = startsAfter is { } after ? now + after : (DateTimeOffset?)null;
        var end = (start ?? now) + (lasts ?? TimeSpan.FromDays(1));
        return harness.Delegations.CreateDelegationAsync(by, new DelegationInput(tenant ?? harness.Contoso, delegatorId, delegateId, start, end, reason));
    }

    public static Task RequireApprovalsAsync(this ServiceHarness harness, int required) =>
        harness.ApproverList.ChangePolicyAsync(ServiceHarness.ContosoOfficer, harness.Contoso,
            harness.CurrentPolicy(harness.Contoso) with { RequiredApprovals = required });

    public static Features.Tenants.TenantPolicy CurrentPolicy(this ServiceHarness harness, Guid tenantId)
    {
        using var db = harness.NewContext();
        return db.Tenants.Single(t => t.Id == tenantId).Policy;
    }

    public static JsonElement Details(this AuditEntry entry) => JsonDocument.Parse(entry.DetailsJson).RootElement;

    public static async Task<List<AuditEntry>> AuditOfTypeAsync(this ServiceHarness harness, AuditEventType type) =>
        (await harness.AuditAsync()).Where(e => e.EventType == type).ToList();
}
