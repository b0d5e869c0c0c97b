using LockboxPortal.Data;
using LockboxPortal.Features.AccessRequests;
using LockboxPortal.Features.Audit;
using LockboxPortal.Features.Grants;
using LockboxPortal.Features.Tenants;
using LockboxPortal.Tests.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace LockboxPortal.Tests.Tenants;

/// <summary>
/// DESIGN.md rules 10 and 11, the findings "an offboarded engineer keeps access through the data plane" and "the
/// provider can reshape a customer's approver list": each test is the attack, and fails on the code before the fix.
/// </summary>
public sealed class OffboardingTests
{
    private static readonly Actor DataPlane = new("client:data-plane", "Data plane");

    [Fact]
    public async Task DeactivatedEngineer_IsRefusedByTheAccessCheck_AndTheirGrantAndPendingRequestEnd_Audited()
    {
        await using var harness = await ServiceHarness.CreateAsync();
        var grant = await harness.ApprovedAsync();
        var pending = await harness.Requests.FileAsync(ServiceHarness.Engineer, harness.ValidInput(scope: "Exchange:mailbox/ben@contoso.com"));
        Assert.True((await CheckAsync(harness)).IsAllowed);

        await harness.People().DeactivateAsync(AdminHarness.ProviderAdmin, Cast.Engineer);

        var verdict = await CheckAsync(harness);
        Assert.False(verdict.IsAllowed);
        Assert.Equal(AccessDecisionReason.EngineerDeactivated, verdict.Reason);
        await using var db = harness.NewContext();
        var ended = await db.AccessRequests.SingleAsync(r => r.Id == grant.Id);
        Assert.Equal(RequestStatus.Revoked, ended.Status);
        Assert.Equal(harness.Time.GetUtcNow(), ended.GrantEndsAt);
        Assert.Equal(RequestStatus.Expired, (await db.AccessRequests.SingleAsync(r => r.Id == pending.Id)).Status);
        var revoked = Assert.Single(await harness.AuditAsync(grant.Id), e => e.EventType == AuditEventType.Grant_Revoked);
        Assert.Equal(harness.Contoso, revoked.TenantId);
        Assert.Equal(Cast.Admin, revoked.ActorId);
        Assert.Contains("deactivated", revoked.DetailsJson, StringComparison.Ordinal);
        Assert.Contains(await harness.AuditAsync(pending.Id), e => e.EventType == AuditEventType.AccessRequest_Expired);
    }

    [Fact]
    public async Task EngineerWhoseRoleIsRemoved_IsRefusedByTheAccessCheck_AndTheirGrantEnds_Audited()
    {
        await using var harness = await ServiceHarness.CreateAsync();
        var grant = await harness.ApprovedAsync();
        var otherEngineers = await harness.Requests.FileAsync(ServiceHarness.Engineer2, harness.ValidInput());

        await harness.People().RemoveRoleAsync(AdminHarness.ProviderAdmin, Cast.Engineer, null, PortalRole.Engineer);

        Assert.Equal(AccessDecisionReason.NotAnEngineer, (await CheckAsync(harness)).Reason);
        await using var db = harness.NewContext();
        Assert.Equal(RequestStatus.Revoked, (await db.AccessRequests.SingleAsync(r => r.Id == grant.Id)).Status);
        Assert.Equal(RequestStatus.PendingInternal, (await db.AccessRequests.SingleAsync(r => r.Id == otherEngineers.Id)).Status);
        var revoked = Assert.Single(await harness.AuditAsync(grant.Id), e => e.EventType == AuditEventType.Grant_Revoked);
        Assert.Contains("no longer an Engineer", revoked.DetailsJson, StringComparison.Ordinal);
    }

    /// <summary>
    /// Something other than the portal's services (a script, a restore) deactivates or strips the engineer in storage:
    /// it publishes no event, so the check refuses once its kept answer is older than
    /// <see cref="AccessReadModel.ReadAgainAfter"/>, though the grant is still open (decision 0017).
    /// </summary>
    [Fact]
    public async Task EngineerOffboardedInStorageAlone_IsRefusedOnceTheKeptStandingIsReadAgain_ThoughTheGrantIsStillOpen()
    {
        await using var harness = await ServiceHarness.CreateAsync();
        await harness.ApprovedAsync();
        Assert.True((await CheckAsync(harness)).IsAllowed);

        await using (var db = harness.NewContext())
        {
            await db.Memberships.Where(m => m.UserId == Cast.Engineer).ExecuteDeleteAsync();
        }

        harness.Time.Advance(AccessReadModel.ReadAgainAfter - TimeSpan.FromSeconds(1));
        Assert.True((await CheckAsync(harness)).IsAllowed, "the kept standing answers until it is read again");
        harness.Time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(AccessDecisionReason.NotAnEngineer, (await CheckAsync(harness)).Reason);

        await using (var db = harness.NewContext())
        {
            db.Memberships.Add(new Membership(Cast.Engineer, null, PortalRole.Engineer));
            (await db.Users.SingleAsync(u => u.Id == Cast.Engineer)).IsActive = false;
            await db.SaveChangesAsync();
        }

        // A directory change (what the portal's own paths publish) makes every node read the standing again at once.
        await harness.Services.GetRequiredService<DirectoryNotifier>().PublishAsync(new DirectoryChange(Cast.Engineer, harness.Time.GetUtcNow()));
        Assert.Equal(AccessDecisionReason.EngineerDeactivated, (await CheckAsync(harness)).Reason);
    }

    /// <summary>The provider's Entra directory drops the engineer's app role: their next sign-in strips it, and the next check refuses.</summary>
    [Fact]
    public async Task EngineerWhoseDirectoryDropsTheRole_IsRefusedAtTheNextCheckAfterTheirSignIn_ThoughTheGrantIsStillOpen()
    {
        var providerDirectory = Guid.NewGuid();
        await using var harness = await ServiceHarness.CreateAsync(services => services.AddSingleton(new ProviderDirectory(providerDirectory)));
        await harness.ApprovedAsync();
        await using (var db = harness.NewContext())
        {
            db.UserLogins.Add(new IdentityUserLogin<string>
            {
                LoginProvider = DirectorySignIn.LoginProvider,
                ProviderKey = DirectorySignIn.LoginKey(providerDirectory, "engineer-oid"),
                ProviderDisplayName = DirectorySignIn.LoginDisplayName,
                UserId = Cast.Engineer,
            });
            await db.SaveChangesAsync();
        }

        Assert.True((await CheckAsync(harness)).IsAllowed);

        var signIn = await harness.Services.GetRequiredService<DirectorySignIn>()
            .SignInAsync(new DirectoryIdentity(providerDirectory, "engineer-oid", "Engineer", null, ["Lockbox.EngineeringManager"]), null);

        Assert.Equal(DirectorySignInOutcome.SignedIn, signIn.Outcome);
        Assert.Equal(AccessDecisionReason.NotAnEngineer, (await CheckAsync(harness)).Reason);
    }

    [Fact]
    public async Task ProviderDeactivatingATenantsOnlyApprover_IsRefused_ChangesNothing_AndTheRefusalIsInTheTenantsTrail()
    {
        await using var harness = await ServiceHarness.CreateAsync();

        var refused = await Assert.ThrowsAsync<PeopleRuleException>(() => harness.People().DeactivateAsync(AdminHarness.ProviderAdmin, Cast.NorthwindApprover));

        Assert.Contains("Northwind's approver list", refused.Message, StringComparison.Ordinal);
        Assert.Contains("security officers", refused.Message, StringComparison.Ordinal);
        await using var db = harness.NewContext();
        Assert.True((await db.Users.SingleAsync(u => u.Id == Cast.NorthwindApprover)).IsActive);
        Assert.True(await db.ApproverListEntries.AnyAsync(e => e.UserId == Cast.NorthwindApprover && e.TenantId == harness.Northwind));
        var northwind = (await harness.AuditAsync()).Where(e => e.TenantId == harness.Northwind).ToList();
        var entry = Assert.Single(northwind);
        Assert.Equal(AuditEventType.Operation_Refused, entry.EventType);
        Assert.Equal(Cast.Admin, entry.ActorId);
        Assert.Contains("quorum-unreachable", entry.DetailsJson, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ProviderDeactivatingAnApprover_BelowTheRequiredApprovals_IsRefused()
    {
        await using var harness = await ServiceHarness.CreateAsync();
        await harness.SetPolicyAsync(harness.Contoso, p => p with { RequiredApprovals = 3 });

        await Assert.ThrowsAsync<PeopleRuleException>(() => harness.People().DeactivateAsync(AdminHarness.ProviderAdmin, Cast.Approver1));

        await using var db = harness.NewContext();
        Assert.Equal(3, await db.ApproverListEntries.CountAsync(e => e.TenantId == harness.Contoso));
    }

    [Fact]
    public async Task ProviderDeactivatingAnApprover_WhoseQuorumStaysReachable_GoesThrough_AndTheTenantsOfficersAreTold()
    {
        var outbound = new RecordingOutbound();
        await using var harness = await ServiceHarness.CreateAsync(services => services.AddSingleton<IOutboundMessages>(outbound));
        await harness.SetPolicyAsync(harness.Contoso, p => p with { RequiredApprovals = 2 });

        await harness.People().DeactivateAsync(AdminHarness.ProviderAdmin, Cast.Approver1);

        await using var db = harness.NewContext();
        Assert.Equal(2, await db.ApproverListEntries.CountAsync(e => e.TenantId == harness.Contoso));
        Assert.Contains(await harness.AuditAsync(), e =>
            e.EventType == AuditEventType.Approvers_Removed && e.TenantId == harness.Contoso && e.ActorId == Cast.Admin && e.DetailsJson.Contains(Cast.Approver1));
        var told = Assert.Single(outbound.Received, m => m.Type == PeopleService.ApproverDeactivatedMessage);
        Assert.Equal(harness.Contoso, told.TenantId);
        Assert.Equal(Cast.Approver1, told.SubjectId);
    }

    private static Task<AccessVerdict> CheckAsync(ServiceHarness harness) =>
        harness.Services.GetRequiredService<AccessCheckService>().CheckAsync(
            new AccessCheckInput("contoso", Cast.Engineer, "Exchange:mailbox/ana@contoso.com", AccessLevel.Read), DataPlane, null);

    private sealed class RecordingOutbound : IOutboundMessages
    {
        public List<OutboundMessage> Received { get; } = [];

        public Task HandOffAsync(LockboxDbContext db, OutboundMessage message, CancellationToken cancellationToken)
        {
            Received.Add(message);
            return Task.CompletedTask;
        }
    }
}
