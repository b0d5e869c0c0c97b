using LockboxPortal.Authorization;
using LockboxPortal.Features.AccessRequests;
using LockboxPortal.Features.Audit;
using LockboxPortal.Tests.Infrastructure;
using static LockboxPortal.Tests.Infrastructure.ServiceHarness;

namespace LockboxPortal.Tests.Approvers;

/// <summary>DESIGN.md rule 3: distinct approvals up to the quorum fixed on the request, one veto, and a list that bites at once.</summary>
public sealed class QuorumTests
{
    private static readonly System.Security.Claims.ClaimsPrincipal[] ContosoApprovers = [Approver1, Approver2, Approver3];

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public async Task ARequest_IsApproved_OnlyWhenTheRequiredNumberOfPeopleApproved(int required)
    {
        await using var harness = await CreateAsync();
        await harness.RequireApprovalsAsync(required);
        var pending = await harness.PendingCustomerAsync();
        Assert.Equal(required, pending.RequiredApprovals);

        for (var i = 0; i < required - 1; i++)
        {
            var partial = await harness.Requests.DecideCustomerAsync(ContosoApprovers[i], pending.Id, approve: true, null);
            Assert.Equal(RequestStatus.PendingCustomer, partial.Status);
            Assert.Equal(i + 1, partial.CustomerApprovals.Count);
            Assert.Null(partial.GrantStartsAt);
        }

        var last = await harness.Requests.DecideCustomerAsync(ContosoApprovers[required - 1], pending.Id, approve: true, null);

        Assert.Equal(RequestStatus.Approved, last.Status);
        Assert.Equal(required, last.CustomerApprovals.Count);
        Assert.Single(await harness.AuditOfTypeAsync(AuditEventType.Grant_Opened));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public async Task OneRejection_RejectsTheRequest_WhateverTheApprovalsSoFar(int required)
    {
        await using var harness = await CreateAsync();
        await harness.RequireApprovalsAsync(required);
        var pending = await harness.PendingCustomerAsync();
        for (var i = 0; i < required - 1; i++)
        {
            await harness.Requests.DecideCustomerAsync(ContosoApprovers[i], pending.Id, approve: true, null);
        }

        var rejected = await harness.Requests.DecideCustomerAsync(ContosoApprovers[required - 1], pending.Id, approve: false, "Not this week.");

        Assert.Equal(RequestStatus.Rejected, rejected.Status);
        Assert.Null(rejected.GrantStartsAt);
        Assert.Empty(await harness.AuditOfTypeAsync(AuditEventType.Grant_Opened));
        await Assert.ThrowsAsync<InvalidTransitionException>(() =>
            harness.Requests.DecideCustomerAsync(ContosoApprovers[(required) % 3], pending.Id, approve: true, null));
    }

    [Fact]
    public async Task AnApproverRemovedWhileARequestIsPending_CanNoLongerDecideIt()
    {
        await using var harness = await CreateAsync();
        await harness.RequireApprovalsAsync(2);
        var pending = await harness.PendingCustomerAsync();
        await harness.Requests.DecideCustomerAsync(Approver1, pending.Id, approve: true, null);
        Assert.Contains(await harness.Requests.ListCustomerQueueAsync(Approver2), r => r.Request.Id == pending.Id);

        await harness.ApproverList.RemoveApproverAsync(ContosoOfficer, harness.Contoso, Cast.Approver2);

        await Assert.ThrowsAsync<ForbiddenException>(() => harness.Requests.DecideCustomerAsync(Approver2, pending.Id, approve: true, null));
        await Assert.ThrowsAsync<ForbiddenException>(() => harness.Requests.DecideCustomerAsync(Approver2, pending.Id, approve: false, "veto"));
        Assert.Empty(await harness.Requests.ListCustomerQueueAsync(Approver2));
        var stillPending = (await harness.Requests.GetAsync(Approver1, pending.Id))!.Request;
        Assert.Equal(RequestStatus.PendingCustomer, stillPending.Status);
        Assert.Single(stillPending.CustomerApprovals);

        var approved = await harness.Requests.DecideCustomerAsync(Approver3, pending.Id, approve: true, null);
        Assert.Equal(RequestStatus.Approved, approved.Status);
    }

    [Fact]
    public async Task AnApproverWhoseRoleIsLowered_CanNoLongerDecide()
    {
        await using var harness = await CreateAsync();
        var pending = await harness.PendingCustomerAsync();

        // Still on the list and still a member, but no longer a TenantAdmin: the list alone gives no authority.
        await using (var db = harness.NewContext())
        {
            var membership = db.Memberships.Single(m => m.UserId == Cast.Approver2 && m.TenantId == harness.Contoso);
            db.Memberships.Remove(membership);
            db.Memberships.Add(new Features.Tenants.Membership(Cast.Approver2, harness.Contoso, Features.Tenants.PortalRole.SecurityOfficer));
            await db.SaveChangesAsync();
        }

        Assert.Empty(await harness.Requests.ListCustomerQueueAsync(Approver2));
        await Assert.ThrowsAsync<ForbiddenException>(() => harness.Requests.DecideCustomerAsync(Approver2, pending.Id, approve: true, null));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public async Task APolicyChange_LeavesPendingRequestsRequiredCountUnchanged(int newRequired)
    {
        await using var harness = await CreateAsync();
        await harness.RequireApprovalsAsync(2);
        var pending = await harness.PendingCustomerAsync();

        await harness.RequireApprovalsAsync(newRequired);

        var later = await harness.PendingCustomerAsync();
        Assert.Equal(newRequired, later.RequiredApprovals);
        var afterOne = await harness.Requests.DecideCustomerAsync(Approver1, pending.Id, approve: true, null);
        Assert.Equal(2, afterOne.RequiredApprovals);
        Assert.Equal(RequestStatus.PendingCustomer, afterOne.Status);
        var afterTwo = await harness.Requests.DecideCustomerAsync(Approver2, pending.Id, approve: true, null);
        Assert.Equal(RequestStatus.Approved, afterTwo.Status);
    }
}
