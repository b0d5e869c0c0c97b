using System.Security.Claims;
using LockboxPortal.Authorization;
using LockboxPortal.Features.AccessRequests;
using LockboxPortal.Features.Approvers;
using LockboxPortal.Features.Audit;
using LockboxPortal.Features.Tenants;
using LockboxPortal.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using static LockboxPortal.Tests.Infrastructure.ServiceHarness;

namespace LockboxPortal.Tests.Approvers;

/// <summary>The officer's approver list and policy, who may change them, and what the audit trail says about it.</summary>
public sealed class ApproverServiceTests
{
    public static TheoryData<string, string, Type?> OfficerMatrix => new()
    {
        // name, who acts, expected refusal (null: allowed)
        { "Contoso's officer", Cast.ContosoOfficer, null },
        { "a Contoso approver", Cast.Approver1, typeof(ForbiddenException) },
        { "a Contoso admin not on the list", Cast.ContosoAdminNotApprover, typeof(ForbiddenException) },
        { "Northwind's officer", Cast.NorthwindOfficer, typeof(NotFoundException) },
        { "Northwind's approver", Cast.NorthwindApprover, typeof(NotFoundException) },
        { "a provider admin", Cast.Admin, typeof(NotFoundException) },
    };

    [Theory]
    [MemberData(nameof(OfficerMatrix))]
    public async Task ChangePolicy_IsForTheTenantsOfficerOnly(string name, string actorId, Type? refusal)
    {
        await using var harness = await CreateAsync();

        var ex = await Record.ExceptionAsync(() =>
            harness.ApproverList.ChangePolicyAsync(As(actorId), harness.Contoso, TenantPolicy.Default with { RequiredApprovals = 2 }));

        Assert.True(ex?.GetType() == refusal, $"{name}: got {ex?.GetType().Name ?? "allowed"}");
        Assert.Equal(refusal is null ? 2 : 1, harness.CurrentPolicy(harness.Contoso).RequiredApprovals);
        Assert.Equal(refusal is null ? 0 : 1, (await harness.AuditOfTypeAsync(AuditEventType.Operation_Refused)).Count);
    }

    [Theory]
    [MemberData(nameof(OfficerMatrix))]
    public async Task ListChanges_AreForTheTenantsOfficerOnly(string name, string actorId, Type? refusal)
    {
        await using var harness = await CreateAsync();

        var add = await Record.ExceptionAsync(() => harness.ApproverList.AddApproverAsync(As(actorId), harness.Contoso, Cast.ContosoAdminNotApprover));
        var remove = await Record.ExceptionAsync(() => harness.ApproverList.RemoveApproverAsync(As(actorId), harness.Contoso, Cast.Approver3));
        var view = await Record.ExceptionAsync(() => harness.ApproverQueries.GetTenantAsync(As(actorId), harness.Contoso));

        Assert.True(add?.GetType() == refusal && remove?.GetType() == refusal && view?.GetType() == refusal, name);
    }

    public static TheoryData<string, TenantPolicy, string> InvalidPolicies => new()
    {
        { "no approvals", TenantPolicy.Default with { RequiredApprovals = 0 }, nameof(TenantPolicy.RequiredApprovals) },
        { "more approvals than approvers", TenantPolicy.Default with { RequiredApprovals = 4 }, nameof(TenantPolicy.RequiredApprovals) },
        { "pending under an hour", TenantPolicy.Default with { PendingLifetime = TimeSpan.FromMinutes(59) }, nameof(TenantPolicy.PendingLifetime) },
        { "pending over 72 hours", TenantPolicy.Default with { PendingLifetime = TimeSpan.FromHours(73) }, nameof(TenantPolicy.PendingLifetime) },
        { "maximum grant under 15 minutes", TenantPolicy.Default with { MaxGrantDuration = TimeSpan.FromMinutes(10), DefaultGrantDuration = TimeSpan.FromMinutes(10) }, nameof(TenantPolicy.MaxGrantDuration) },
        { "maximum grant over 24 hours", TenantPolicy.Default with { MaxGrantDuration = TimeSpan.FromHours(25) }, nameof(TenantPolicy.MaxGrantDuration) },
        { "default above the maximum", TenantPolicy.Default with { DefaultGrantDuration = TimeSpan.FromHours(9) }, nameof(TenantPolicy.DefaultGrantDuration) },
    };

    [Theory]
    [MemberData(nameof(InvalidPolicies))]
    public async Task ChangePolicy_WithABadValue_NamesTheFieldAndChangesNothing(string name, TenantPolicy policy, string field)
    {
        await using var harness = await CreateAsync();

        var ex = await Assert.ThrowsAsync<InvalidInputException>(() => harness.ApproverList.ChangePolicyAsync(ContosoOfficer, harness.Contoso, policy));

        Assert.True(ex.Errors.ContainsKey(field), $"{name}: {string.Join(", ", ex.Errors.Keys)}");
        Assert.Equal(TenantPolicy.Default, harness.CurrentPolicy(harness.Contoso));
        Assert.Empty(await harness.AuditOfTypeAsync(AuditEventType.Policy_Changed));
    }

    [Fact]
    public async Task ChangePolicy_AuditsTheValuesBeforeAndAfter()
    {
        await using var harness = await CreateAsync();
        var policy = new TenantPolicy
        {
            RequiredApprovals = 2,
            PendingLifetime = TimeSpan.FromHours(24),
            MaxGrantDuration = TimeSpan.FromHours(2),
            DefaultGrantDuration = TimeSpan.FromMinutes(30),
            RequireTicketReference = true,
            RequireTwoFactor = true,
        };

        Assert.Equal(ChangeOutcome.Applied, await harness.ApproverList.ChangePolicyAsync(ContosoOfficer, harness.Contoso, policy));

        // Once two-factor is required, even an unchanged repeat needs a sign-in proven with a second factor.
        Assert.Equal(ChangeOutcome.Unchanged, await harness.ApproverList.ChangePolicyAsync(WithSecondFactor(Cast.ContosoOfficer), harness.Contoso, policy));

        Assert.Equal(policy, harness.CurrentPolicy(harness.Contoso));
        var entry = Assert.Single(await harness.AuditOfTypeAsync(AuditEventType.Policy_Changed));
        Assert.Equal(Cast.ContosoOfficer, entry.ActorId);
        Assert.Equal(harness.Contoso, entry.TenantId);
        var before = entry.Details().GetProperty("before");
        var after = entry.Details().GetProperty("after");
        Assert.Equal(1, before.GetProperty("requiredApprovals").GetInt32());
        Assert.Equal(2, after.GetProperty("requiredApprovals").GetInt32());
        Assert.Equal("12:00:00", before.GetProperty("pendingLifetime").GetString());
        Assert.Equal("1.00:00:00", after.GetProperty("pendingLifetime").GetString());
        Assert.Equal("08:00:00", before.GetProperty("maxGrantDuration").GetString());
        Assert.Equal("02:00:00", after.GetProperty("maxGrantDuration").GetString());
        Assert.Equal("04:00:00", before.GetProperty("defaultGrantDuration").GetString());
        Assert.Equal("00:30:00", after.GetProperty("defaultGrantDuration").GetString());
        Assert.False(before.GetProperty("requireTicketReference").GetBoolean());
        Assert.True(after.GetProperty("requireTicketReference").GetBoolean());
        Assert.False(before.GetProperty("requireTwoFactor").GetBoolean());
        Assert.True(after.GetProperty("requireTwoFactor").GetBoolean());
    }

    [Fact]
    public async Task AddAndRemove_AuditTheListBeforeAndAfter()
    {
        await using var harness = await CreateAsync();

        await harness.ApproverList.AddApproverAsync(ContosoOfficer, harness.Contoso, Cast.ContosoAdminNotApprover);
        await harness.ApproverList.RemoveApproverAsync(ContosoOfficer, harness.Contoso, Cast.Approver1);

        var view = await harness.ApproverQueries.GetTenantAsync(ContosoOfficer, harness.Contoso);
        Assert.Equal([Cast.Approver2, Cast.Approver3, Cast.ContosoAdminNotApprover], view.Approvers.Select(a => a.Person.UserId).Order());
        var added = Assert.Single(await harness.AuditOfTypeAsync(AuditEventType.Approvers_Added));
        var removed = Assert.Single(await harness.AuditOfTypeAsync(AuditEventType.Approvers_Removed));
        Assert.Equal(Cast.ContosoAdminNotApprover, added.Details().GetProperty("approver").GetProperty("userId").GetString());
        Assert.Equal(3, added.Details().GetProperty("before").GetArrayLength());
        Assert.Equal(4, added.Details().GetProperty("after").GetArrayLength());
        Assert.Equal(Cast.Approver1, removed.Details().GetProperty("approver").GetProperty("userId").GetString());
        Assert.Equal(4, removed.Details().GetProperty("before").GetArrayLength());
        Assert.DoesNotContain(removed.Details().GetProperty("after").EnumerateArray(), p => p.GetProperty("userId").GetString() == Cast.Approver1);
    }

    public static TheoryData<string, string> NotAddable => new()
    {
        { "already on the list", Cast.Approver1 },
        { "the officer, not a TenantAdmin", Cast.ContosoOfficer },
        { "another tenant's approver", Cast.NorthwindApprover },
        { "a provider engineer", Cast.Engineer },
    };

    [Theory]
    [MemberData(nameof(NotAddable))]
    public async Task Add_SomeoneWhoCannotApproveHere_IsRefusedAsBadInput(string name, string userId)
    {
        await using var harness = await CreateAsync();

        var ex = await Assert.ThrowsAsync<InvalidInputException>(() => harness.ApproverList.AddApproverAsync(ContosoOfficer, harness.Contoso, userId));

        Assert.True(ex.Errors.ContainsKey("UserId"), name);
        Assert.Equal(3, (await harness.ApproverQueries.GetTenantAsync(ContosoOfficer, harness.Contoso)).Approvers.Count);
        Assert.Empty(await harness.AuditOfTypeAsync(AuditEventType.Approvers_Added));
    }

    [Fact]
    public async Task Remove_BelowTheRequiredApprovals_IsRefused()
    {
        await using var harness = await CreateAsync();
        await harness.RequireApprovalsAsync(3);

        await Assert.ThrowsAsync<InvalidInputException>(() => harness.ApproverList.RemoveApproverAsync(ContosoOfficer, harness.Contoso, Cast.Approver3));

        Assert.Equal(3, (await harness.ApproverQueries.GetTenantAsync(ContosoOfficer, harness.Contoso)).Approvers.Count);
    }

    [Fact]
    public async Task ListChanges_TellOpenPages()
    {
        await using var harness = await CreateAsync();
        var changes = new List<ApproverChange>();
        using var subscription = harness.Services.GetRequiredServiceOf<ApproverNotifier>().Subscribe(c =>
        {
            changes.Add(c);
            return Task.CompletedTask;
        });

        await harness.ApproverList.RemoveApproverAsync(ContosoOfficer, harness.Contoso, Cast.Approver3);

        Assert.Equal(ApproverChangeKind.ApproverRemoved, Assert.Single(changes).Kind);
    }

    [Fact]
    public async Task DelegationChanges_AreAuditedWithBeforeAndAfter_NamingTheOfficerAndTheApprover()
    {
        await using var harness = await CreateAsync();
        var delegation = await harness.DelegateAsync(ContosoOfficer, Cast.Approver1, Cast.ContosoAdminNotApprover, reason: "Parental leave");
        harness.Time.Advance(TimeSpan.FromHours(1));
        await harness.Delegations.RevokeDelegationAsync(As(Cast.Approver1), delegation.Id);

        var created = Assert.Single(await harness.AuditOfTypeAsync(AuditEventType.Delegation_Created));
        Assert.Equal(Cast.ContosoOfficer, created.ActorId);
        Assert.Equal(Cast.Approver1, created.OnBehalfOfId);
        Assert.Equal(delegation.Id.ToString(), created.SubjectId);
        Assert.Equal(System.Text.Json.JsonValueKind.Null, created.Details().GetProperty("before").ValueKind);
        var createdAfter = created.Details().GetProperty("after");
        Assert.Equal("Active", createdAfter.GetProperty("status").GetString());
        Assert.Equal(Cast.ContosoAdminNotApprover, createdAfter.GetProperty("delegateId").GetString());
        Assert.Equal("Parental leave", createdAfter.GetProperty("reason").GetString());

        var revoked = Assert.Single(await harness.AuditOfTypeAsync(AuditEventType.Delegation_Revoked));
        Assert.Equal(Cast.Approver1, revoked.ActorId);
        Assert.Equal("Active", revoked.Details().GetProperty("before").GetProperty("status").GetString());
        Assert.Equal("Revoked", revoked.Details().GetProperty("after").GetProperty("status").GetString());
    }

    [Fact]
    public async Task ADecisionUnderDelegation_NamesBothPeople_OnTheRequestAndInTheTrail()
    {
        await using var harness = await CreateAsync();
        await harness.DelegateAsync(Approver1, Cast.Approver1, Cast.ContosoAdminNotApprover);
        var pending = await harness.PendingCustomerAsync();

        var approved = await harness.Requests.DecideCustomerAsync(As(Cast.ContosoAdminNotApprover), pending.Id, approve: true, "for Alex");

        Assert.Equal($"{Cast.ContosoAdminNotApprover} on behalf of {Cast.Approver1}", approved.Decisions[^1].DescribeDecider());
        var entry = Assert.Single(await harness.AuditOfTypeAsync(AuditEventType.AccessRequest_CustomerApproved));
        Assert.Equal(Cast.ContosoAdminNotApprover, entry.ActorId);
        Assert.Equal(Cast.ContosoAdminNotApprover, entry.ActorName);
        Assert.Equal(Cast.Approver1, entry.OnBehalfOfId);
        Assert.Equal(Cast.Approver1, entry.OnBehalfOfName);
    }

    [Fact]
    public async Task ApproverListAndPolicyChanges_KeepTheAuditChainIntact()
    {
        await using var harness = await CreateAsync();
        await harness.RequireApprovalsAsync(2);
        await harness.ApproverList.AddApproverAsync(ContosoOfficer, harness.Contoso, Cast.ContosoAdminNotApprover);
        await harness.DelegateAsync(Approver1, Cast.Approver1, Cast.Approver2);

        await using var db = harness.NewContext();
        var chain = await db.AuditEntries.Where(e => e.ChainId == harness.Contoso).OrderBy(e => e.Sequence).ToListAsync();
        Assert.Equal(3, chain.Count);
        for (var i = 0; i < chain.Count; i++)
        {
            Assert.Equal(i + 1, chain[i].Sequence);
            Assert.Equal(i == 0 ? AuditEntry.GenesisHash : chain[i - 1].Hash, chain[i].PreviousHash);
            Assert.Equal(chain[i].ComputeHash(), chain[i].Hash);
        }
    }
}
