using LockboxPortal.Features.AccessRequests;
using LockboxPortal.Features.Grants;
using LockboxPortal.Tests.AccessRequests;
using LockboxPortal.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace LockboxPortal.Tests.Grants;

public sealed class AccessCandidateSourceTests
{
    private static readonly Actor DataPlane = new("client:data-plane", "Data plane");

    [Fact]
    public async Task Check_AllowsWhatTheRegisteredSourceFinds_ThoughStorageHasNoSuchRequest()
    {
        var source = new FixedSource();
        await using var harness = await ServiceHarness.CreateAsync(services => services.AddSingleton<IAccessCandidateSource>(source));
        var held = RequestBuilder.Approved(tenant: harness.Contoso);
        source.Answer = [held];
        harness.Time.SetUtcNow(RequestBuilder.GrantStart.AddMinutes(5));

        var verdict = await Checks(harness).CheckAsync(Input(), DataPlane, null);

        Assert.True(verdict.IsAllowed, verdict.Reason.ToString());
        Assert.Equal(held.Id, verdict.RequestId);
        Assert.Equal([(harness.Contoso, Cast.Engineer, RequestBuilder.GrantStart.AddMinutes(5))], source.Asked);
    }

    [Fact]
    public async Task Check_RefusesWhenTheRegisteredSourceFindsNothing_ThoughStorageHoldsAnOpenGrant()
    {
        var source = new FixedSource();
        await using var harness = await ServiceHarness.CreateAsync(services => services.AddSingleton<IAccessCandidateSource>(source));
        await harness.ApprovedAsync();

        var verdict = await Checks(harness).CheckAsync(Input(), DataPlane, null);

        Assert.Equal(AccessDecisionReason.NoMatchingRequest, verdict.Reason);
        Assert.Single(source.Asked);
    }

    [Fact]
    public async Task StoredCandidates_AreTheEngineersApprovedAndRecentRequestsInTheTenant_NewestFirst()
    {
        await using var harness = await ServiceHarness.CreateAsync();
        var approved = await harness.ApprovedAsync();
        harness.Time.Advance(TimeSpan.FromMinutes(1));
        var pending = await harness.Requests.FileAsync(ServiceHarness.Engineer, harness.ValidInput(scope: "Exchange:mailbox/ben@contoso.com"));
        await harness.Requests.FileAsync(ServiceHarness.Engineer2, harness.ValidInput());
        await harness.Requests.FileAsync(ServiceHarness.Engineer, harness.ValidInput(harness.Northwind));

        harness.Time.Advance(TimeSpan.FromDays(8));
        var stored = harness.Services.GetRequiredService<StoredAccessCandidates>();
        var later = await stored.FindAsync(harness.Contoso, Cast.Engineer, harness.Time.GetUtcNow(), CancellationToken.None);
        var now = await stored.FindAsync(harness.Contoso, Cast.Engineer, ServiceHarness.Start.AddMinutes(2), CancellationToken.None);

        Assert.Equal([pending.Id, approved.Id], now.Select(r => r.Id));
        // A week on, the pending request no longer explains anything; the approved one is still a candidate.
        Assert.Equal([approved.Id], later.Select(r => r.Id));
    }

    private static AccessCheckService Checks(ServiceHarness harness) => harness.Services.GetRequiredService<AccessCheckService>();

    private static AccessCheckInput Input() => new("contoso", Cast.Engineer, RequestBuilder.DefaultScope, AccessLevel.Read);

    private sealed class FixedSource : IAccessCandidateSource
    {
        public IReadOnlyList<AccessRequest> Answer { get; set; } = [];

        public List<(Guid Tenant, string Engineer, DateTimeOffset Now)> Asked { get; } = [];

        public Task<IReadOnlyList<AccessRequest>> FindAsync(Guid tenantId, string engineerId, DateTimeOffset now, CancellationToken cancellationToken)
        {
            Asked.Add((tenantId, engineerId, now));
            return Task.FromResult(Answer);
        }
    }
}
