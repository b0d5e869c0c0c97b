using LockboxPortal.Data;
using LockboxPortal.Features.AccessRequests;
using LockboxPortal.Features.Grants;
using LockboxPortal.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace LockboxPortal.Tests.Grants;

/// <summary>The access check's read model (decision 0017) over a real SQLite file: kept answers, forgotten by events.</summary>
public sealed class AccessReadModelTests
{
    private static readonly Actor DataPlane = new("client:data-plane", "Data plane");

    [Fact]
    public async Task ACheckAfterTheFirst_IsAnsweredFromMemory_UntilTheKeptAnswerIsReadAgain()
    {
        await using var harness = await ServiceHarness.CreateAsync();
        var grant = await harness.ApprovedAsync();
        Assert.True((await CheckAsync(harness)).IsAllowed);

        // Changed in storage alone, so no event: only a check that reads storage could see it.
        await using (var db = harness.NewContext())
        {
            await db.AccessRequests.Where(r => r.Id == grant.Id).ExecuteUpdateAsync(r => r.SetProperty(x => x.Status, RequestStatus.Revoked));
        }

        harness.Time.Advance(AccessReadModel.ReadAgainAfter - TimeSpan.FromMilliseconds(1));
        Assert.True((await CheckAsync(harness)).IsAllowed, "the second check read storage");
        harness.Time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(AccessDecisionReason.GrantRevoked, (await CheckAsync(harness)).Reason);
    }

    [Fact]
    public async Task ARevokeThroughTheService_RefusesTheVeryNextCheck_ThoughTheGrantWasKept()
    {
        await using var harness = await ServiceHarness.CreateAsync();
        var grant = await harness.ApprovedAsync();
        var other = await harness.ApprovedAsync(scope: "Exchange:mailbox/ben@contoso.com");
        Assert.True((await CheckAsync(harness)).IsAllowed);
        Assert.True((await CheckAsync(harness, "Exchange:mailbox/ben@contoso.com")).IsAllowed);

        await harness.Grants.RevokeAsync(ServiceHarness.ContosoOfficer, grant.Id, "Ticket closed.");

        var refused = await CheckAsync(harness);
        Assert.Equal(AccessDecisionReason.GrantRevoked, refused.Reason);
        Assert.Equal(grant.Id, refused.RequestId);
        var still = await CheckAsync(harness, "Exchange:mailbox/ben@contoso.com");
        Assert.True(still.IsAllowed);
        Assert.Equal(other.Id, still.RequestId);
    }

    [Fact]
    public async Task AGrantPastItsEnd_IsRefusedAtItsEnd_ThoughNoEventSaidSo()
    {
        await using var harness = await ServiceHarness.CreateAsync();
        var grant = await harness.ApprovedAsync();
        Assert.True((await CheckAsync(harness)).IsAllowed);

        // Forward to the end within the kept answer's life: the decision, not the model, reads the clock.
        var end = grant.GrantEndsAt!.Value;
        harness.Time.SetUtcNow(end - TimeSpan.FromTicks(1));
        Assert.True((await CheckAsync(harness)).IsAllowed);
        harness.Time.SetUtcNow(end);
        Assert.Equal(AccessDecisionReason.GrantEnded, (await CheckAsync(harness)).Reason);
    }

    private static Task<AccessVerdict> CheckAsync(ServiceHarness harness, string scope = "Exchange:mailbox/ana@contoso.com") =>
        harness.Services.GetRequiredService<AccessCheckService>().CheckAsync(new AccessCheckInput("contoso", Cast.Engineer, scope, AccessLevel.Read), DataPlane, null);
}
