using LockboxPortal.Features.AccessRequests;
using LockboxPortal.Features.Tenants;
using LockboxPortal.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static LockboxPortal.Tests.Infrastructure.ServiceHarness;

namespace LockboxPortal.Tests.Approvers;

/// <summary>
/// Sessions follow the directory in the services at once: every operation re-reads the person's memberships, the
/// approver list and their account from storage, so the same signed-in principal (the cookie has not changed) that
/// could decide a moment ago is refused right after the change, and its queue no longer offers the request.
/// </summary>
public sealed class DirectoryChangesTakeEffectTests
{
    public static TheoryData<string> Changes => new()
    {
        "taken off the approver list",
        "TenantAdmin role removed",
        "removed from the tenant",
        "deactivated",
    };

    [Theory]
    [MemberData(nameof(Changes))]
    public async Task AfterTheChange_TheSameSession_CanNoLongerDecide_NorSeeTheRequestInItsQueue(string change)
    {
        await using var harness = await CreateAsync();
        var pending = await harness.PendingCustomerAsync();
        Assert.Contains(await harness.Requests.ListCustomerQueueAsync(Approver1), r => r.Request.Id == pending.Id);

        await ApplyAsync(harness, change);

        var refused = await Record.ExceptionAsync(() => harness.Requests.DecideCustomerAsync(Approver1, pending.Id, approve: true, "still me"));
        Assert.True(refused is ForbiddenException or NotFoundException, $"{change}: {refused?.GetType().Name ?? "allowed"}");
        var queue = await Record.ExceptionAsync(async () =>
            Assert.DoesNotContain(await harness.Requests.ListCustomerQueueAsync(Approver1), r => r.Request.Id == pending.Id));
        Assert.True(queue is null or ForbiddenException, $"{change}: queue {queue?.Message}");
        await using var db = harness.NewContext();
        var stored = await db.AccessRequests.AsNoTracking().Include(r => r.Decisions).SingleAsync(r => r.Id == pending.Id);
        Assert.Equal(RequestStatus.PendingCustomer, stored.Status);

        // A colleague still on the list decides it: the change took away one person's authority, not the tenant's.
        Assert.Equal(RequestStatus.Approved, (await harness.Requests.DecideCustomerAsync(Approver2, pending.Id, approve: true, "ok")).Status);
    }

    private static Task ApplyAsync(ServiceHarness harness, string change)
    {
        var people = harness.Services.GetRequiredService<PeopleService>();
        return change switch
        {
            "taken off the approver list" => harness.ApproverList.RemoveApproverAsync(ContosoOfficer, harness.Contoso, Cast.Approver1),
            "TenantAdmin role removed" => people.RemoveRoleAsync(ContosoOfficer, Cast.Approver1, harness.Contoso, PortalRole.TenantAdmin),
            "removed from the tenant" => people.RemoveFromTenantAsync(ContosoOfficer, Cast.Approver1, harness.Contoso),
            "deactivated" => people.DeactivateAsync(ContosoOfficer, Cast.Approver1),
            _ => throw new ArgumentOutOfRangeException(nameof(change), change, null),
        };
    }
}
