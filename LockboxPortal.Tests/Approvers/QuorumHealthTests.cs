using Bunit;
using LockboxPortal.Features.AccessRequests;
using LockboxPortal.Features.Approvers;
using LockboxPortal.Features.Approvers.Pages;
using LockboxPortal.Tests.AccessRequests.Live;
using LockboxPortal.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Time.Testing;

namespace LockboxPortal.Tests.Approvers;

/// <summary>
/// Who can decide right now against the quorum: approvers who are active TenantAdmins with a second factor where the
/// tenant requires one, or covered by an active delegate who is; what the officers see and what an engineer filing is told.
/// </summary>
public sealed class QuorumHealthTests
{
    private static async Task SetAsync(ServiceHarness harness, string userId, Action<LockboxPortal.Features.Tenants.PortalUser> change)
    {
        await using var db = harness.NewContext();
        change(await db.Users.SingleAsync(u => u.Id == userId));
        await db.SaveChangesAsync();
    }

    private static async Task<QuorumHealth> HealthAsync(ServiceHarness harness) =>
        (await harness.ApproverQueries.GetTenantAsync(ServiceHarness.ContosoOfficer, harness.Contoso)).Health;

    [Fact]
    public async Task Health_CountsTheApproversWhoCanDecideNow_AndWhyTheOthersCannot()
    {
        await using var harness = await ServiceHarness.CreateAsync();
        await harness.SetPolicyAsync(harness.Contoso, p => p with { RequiredApprovals = 2 });

        var all = await HealthAsync(harness);
        Assert.Equal((3, 2, false, true), (all.CanDecide, all.Quorum, all.AtRisk, all.CanBeMet));

        await SetAsync(harness, Cast.Approver3, u => u.IsActive = false);
        var one = await HealthAsync(harness);
        Assert.Equal((2, true, true), (one.CanDecide, one.AtRisk, one.CanBeMet));
        Assert.Equal(DeciderState.Deactivated, one.Approvers.Single(a => a.Person.UserId == Cast.Approver3).State);

        // Two-factor required, and nobody enrolled: nobody can decide.
        await harness.SetPolicyAsync(harness.Contoso, p => p with { RequireTwoFactor = true });
        var none = await HealthAsync(harness);
        Assert.Equal((0, false), (none.CanDecide, none.CanBeMet));
        Assert.All(none.Approvers.Where(a => a.Person.UserId != Cast.Approver3), a => Assert.Equal(DeciderState.NoSecondFactor, a.State));

        // Approver 1 enrols; approver 2 delegates to an enrolled TenantAdmin, who covers for them.
        await SetAsync(harness, Cast.Approver1, u => u.TwoFactorEnabled = true);
        await SetAsync(harness, Cast.ContosoAdminNotApprover, u => u.TwoFactorEnabled = true);
        await harness.Delegations.CreateDelegationAsync(ServiceHarness.WithSecondFactor(Cast.ContosoOfficer), new DelegationInput(
            harness.Contoso, Cast.Approver2, Cast.ContosoAdminNotApprover, null, harness.Time.GetUtcNow().AddDays(2), "Away this week"));
        var covered = await HealthAsync(harness);
        Assert.Equal((2, true), (covered.CanDecide, covered.CanBeMet));
        var approver2 = covered.Approvers.Single(a => a.Person.UserId == Cast.Approver2);
        Assert.Equal((DeciderState.CoveredByDelegate, Cast.ContosoAdminNotApprover), (approver2.State, approver2.CoveredBy?.UserId));

        // The delegation ends: approver 2 cannot decide again.
        harness.Time.Advance(TimeSpan.FromDays(3));
        Assert.Equal(1, (await HealthAsync(harness)).CanDecide);
    }

    [Fact]
    public async Task AnEngineerFiling_IsToldWhichReasonsTheTenantCannotApproveNow()
    {
        await using var harness = await ServiceHarness.CreateAsync();
        await harness.SetPolicyAsync(harness.Contoso, p => p with { RequiredApprovals = 2, StricterReasons = RequestReasons.LegalOrRegulatory, StricterRequiredApprovals = 3 });
        async Task<IReadOnlyList<RequestReason>> UnmetAsync(Guid tenant) =>
            (await harness.Requests.ListFileableTenantsAsync(ServiceHarness.Engineer)).Single(t => t.Id == tenant).QuorumUnmetFor;

        Assert.Empty(await UnmetAsync(harness.Contoso));

        await SetAsync(harness, Cast.Approver3, u => u.IsActive = false);
        Assert.Equal([RequestReason.LegalOrRegulatory], await UnmetAsync(harness.Contoso));

        await SetAsync(harness, Cast.Approver2, u => u.IsActive = false);
        Assert.Equal(RequestReasonWords.All, await UnmetAsync(harness.Contoso));
        Assert.Empty(await UnmetAsync(harness.Northwind));
    }

    [Fact]
    public void TheNote_WarnsAtQuorumPlusOne_AndSaysWhenNothingCanBeApproved()
    {
        using var context = ComponentTestContext.Create(new FakeTimeProvider());
        DeciderStanding Able(string name) => new(new Actor(name, name), DeciderState.CanDecide);
        var away = new DeciderStanding(new Actor("c", "c"), DeciderState.Deactivated);

        string Render(params DeciderStanding[] approvers) =>
            context.Render<QuorumHealthNote>(p => p.Add(n => n.Health, new QuorumHealth(2, approvers))).Find("[data-testid=quorum-health]").TextContent.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Aggregate((a, b) => a + " " + b);

        Assert.Contains("3 approvers can decide right now; requests need 2.", Render(Able("a"), Able("b"), Able("c")));
        Assert.Contains("if one more is away, no request can be approved", Render(Able("a"), Able("b"), away));
        Assert.Contains("Only 1 approver can decide right now, and requests need 2", Render(Able("a"), away));
        Assert.Equal("Covered by Dana", new DeciderStanding(new Actor("b", "b"), DeciderState.CoveredByDelegate, new Actor("d", "Dana")).Words);
    }
}
