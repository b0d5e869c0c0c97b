using System.Security.Claims;
using LockboxPortal.Authorization;
using LockboxPortal.Features.AccessRequests;
using LockboxPortal.Features.Audit;
using LockboxPortal.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace LockboxPortal.Tests.AccessRequests;

/// <summary>
/// DESIGN.md rule 12: where a tenant requires two-factor sign-in, its approvers decide and revoke only from a sign-in
/// proven with a second factor. A password-only session (or an API token) is refused, told how to enrol, and the
/// refusal is in the trail; a tenant that does not require it is untouched.
/// </summary>
public sealed class SecondFactorPolicyTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task ADecisionWithoutASecondFactor_IsRefused_Audited_AndChangesNothing(bool approve)
    {
        await using var harness = await ServiceHarness.CreateAsync();
        await harness.SetPolicyAsync(harness.Contoso, p => p with { RequireTwoFactor = true });
        var pending = await harness.PendingCustomerAsync();

        var refused = await Assert.ThrowsAsync<SecondFactorRequiredException>(() =>
            harness.Requests.DecideCustomerAsync(ServiceHarness.Approver1, pending.Id, approve, "from a password-only session"));

        Assert.Contains("Two-factor sign-in", refused.Message, StringComparison.Ordinal);
        await using var db = harness.NewContext();
        var stored = await db.AccessRequests.AsNoTracking().Include(r => r.Decisions).SingleAsync(r => r.Id == pending.Id);
        Assert.Equal(RequestStatus.PendingCustomer, stored.Status);
        Assert.Equal(pending.Decisions.Count, stored.Decisions.Count);
        var refusal = Assert.Single(await harness.AuditAsync(pending.Id), e => e.EventType == AuditEventType.Operation_Refused);
        Assert.Equal(Cast.Approver1, refusal.ActorId);
        Assert.Contains("second-factor-required", refusal.DetailsJson, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ADecisionFromATwoFactorSignIn_Counts_WhereNoFreshFactorIsAsked()
    {
        await using var harness = await ServiceHarness.CreateAsync();
        await harness.SetPolicyAsync(harness.Contoso, p => p with { RequireTwoFactor = true, RequireFreshFactor = false });
        var pending = await harness.PendingCustomerAsync();

        var approved = await harness.Requests.DecideCustomerAsync(ServiceHarness.WithSecondFactor(Cast.Approver1), pending.Id, approve: true, "proven");

        Assert.Equal(RequestStatus.Approved, approved.Status);
    }

    [Fact]
    public async Task ARevokeWithoutASecondFactor_IsRefused_AndTheGrantStaysOpen_WithOne_ItEnds()
    {
        await using var harness = await ServiceHarness.CreateAsync();
        var grant = await harness.ApprovedAsync();
        await harness.SetPolicyAsync(harness.Contoso, p => p with { RequireTwoFactor = true, RequireFreshFactor = false });

        await Assert.ThrowsAsync<SecondFactorRequiredException>(() => harness.Grants.RevokeAsync(ServiceHarness.ContosoOfficer, grant.Id, "password only"));
        await using (var db = harness.NewContext())
        {
            Assert.Equal(RequestStatus.Approved, (await db.AccessRequests.AsNoTracking().SingleAsync(r => r.Id == grant.Id)).Status);
        }

        var revoked = await harness.Grants.RevokeAsync(ServiceHarness.WithSecondFactor(Cast.ContosoOfficer), grant.Id, "proven");
        Assert.Equal(RequestStatus.Revoked, revoked.Status);
    }

    [Fact]
    public async Task ATenantThatDoesNotRequireIt_DecidesWithThePasswordAlone()
    {
        await using var harness = await ServiceHarness.CreateAsync();
        await harness.SetPolicyAsync(harness.Contoso, p => p with { RequireTwoFactor = true });
        var pending = await harness.PendingCustomerAsync(harness.Northwind);

        var approved = await harness.Requests.DecideCustomerAsync(ServiceHarness.NorthwindApprover, pending.Id, approve: true, "ok");

        Assert.Equal(RequestStatus.Approved, approved.Status);
    }

    [Fact]
    public async Task TheProvidersInternalStage_IsNotTheTenantsToGate()
    {
        await using var harness = await ServiceHarness.CreateAsync();
        await harness.SetPolicyAsync(harness.Contoso, p => p with { RequireTwoFactor = true });
        var filed = await harness.Requests.FileAsync(ServiceHarness.Engineer, harness.ValidInput());

        var decided = await harness.Requests.DecideInternalAsync(ServiceHarness.Manager, filed.Id, approve: true, "ok");

        Assert.Equal(RequestStatus.PendingCustomer, decided.Status);
    }
}
