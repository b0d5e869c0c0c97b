using LockboxPortal.Authorization;
using LockboxPortal.Features.AccessRequests;
using LockboxPortal.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace LockboxPortal.Tests.AccessRequests;

/// <summary>
/// The View rule is written once (<see cref="RequestVisibility"/>); the list query runs it as SQL. For every person of
/// the cast, the list shows exactly the requests the handler's View allows, so the two can never drift apart.
/// (<see cref="Live.LiveAudienceTests"/> holds the live audience to the same rule.)
/// </summary>
public sealed class RequestVisibilityTests
{
    [Fact]
    public async Task ListVisible_ShowsExactlyWhatTheViewOperationAllows_ForEveryPerson()
    {
        await using var harness = await ServiceHarness.CreateAsync();
        await harness.AddOperatorAsync();
        await harness.Requests.FileAsync(ServiceHarness.Engineer, harness.ValidInput());
        await harness.Requests.FileAsync(ServiceHarness.Engineer2, harness.ValidInput());
        await harness.ApprovedAsync(harness.Northwind, "Sql:database/orders");
        await harness.Requests.FileAsync(ServiceHarness.Engineer2, harness.ValidInput(harness.Northwind, "Sql:database/orders"));

        await using var db = harness.NewContext();
        var all = await db.AccessRequests.AsNoTracking().ToListAsync();
        foreach (var who in ServiceMatrix.People.Where(p => p != ServiceMatrix.Anonymous))
        {
            var user = await ActingUser.LoadAsync(db, ServiceHarness.As(who), CancellationToken.None);
            var expected = all
                .Where(r => RequestAuthorizationHandler.IsAllowed(RequestOperations.View, new RequestResource(r, user, Features.Approvers.ApprovalAuthority.None)))
                .Select(r => r.Id).Order().ToList();

            var (rows, total) = await harness.Requests.ListVisibleAsync(ServiceHarness.As(who), new RequestListFilter(null, null, null, 0, 50));

            Assert.Equal(expected, rows.Select(r => r.Request.Id).Order().ToList());
            Assert.Equal(expected.Count, total);
        }
    }

    [Fact]
    public void TheCompiledRuleAndTheQueryExpression_AreTheSameRule()
    {
        var viewer = new RequestViewer("someone", IsEngineer: true, IsManager: false, TenantAdminOf: [RequestBuilder.Contoso], OfficerOf: []);
        var filter = RequestVisibility.VisibleTo(viewer).Compile();

        foreach (var tenant in new[] { RequestBuilder.Contoso, RequestBuilder.Northwind })
        {
            foreach (var requester in new[] { "someone", "someone-else" })
            {
                var request = RequestBuilder.Filed(tenant: tenant, requester: new Actor(requester, requester));
                Assert.Equal(RequestVisibility.Sees(viewer, requester, tenant), filter(request));
            }
        }
    }
}
