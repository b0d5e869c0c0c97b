using LockboxPortal.Features.AccessRequests;
using LockboxPortal.Features.Audit;
using LockboxPortal.Tests.Infrastructure;

namespace LockboxPortal.Tests.AccessRequests;

/// <summary>Attempts the state machine refuses for a control reason are in the trail, not only in the answer.</summary>
public sealed class RuleRefusalRecordingTests
{
    [Fact]
    public async Task ApprovingTwice_IsRefusedAsAlreadyCounted_AndTheAttemptIsRecorded()
    {
        await using var h = await ServiceHarness.CreateAsync();
        await h.SetPolicyAsync(h.Contoso, p => p with { RequiredApprovals = 2 });
        var request = await h.PendingCustomerAsync();
        await h.Requests.DecideCustomerAsync(ServiceHarness.Approver1, request.Id, approve: true, null);

        await Assert.ThrowsAsync<AlreadyCountedException>(() => h.Requests.DecideCustomerAsync(ServiceHarness.Approver1, request.Id, approve: true, null));

        var refusal = Assert.Single(await h.AuditAsync(request.Id), e => e.EventType == AuditEventType.Operation_Refused);
        Assert.Equal(Cast.Approver1, refusal.ActorId);
        Assert.Contains("already-counted", refusal.DetailsJson, StringComparison.Ordinal);
        Assert.Equal(h.Contoso, refusal.TenantId);
    }
}
