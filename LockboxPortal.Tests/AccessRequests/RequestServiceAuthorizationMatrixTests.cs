using System.Security.Claims;
using LockboxPortal.Authorization;
using LockboxPortal.Features.AccessRequests;
using LockboxPortal.Tests.Infrastructure;
using Microsoft.AspNetCore.Authorization.Infrastructure;
using static LockboxPortal.Tests.Infrastructure.Cell;

namespace LockboxPortal.Tests.AccessRequests;

/// <summary>
/// Every request operation through <see cref="AccessRequestService"/>, for each role of the provider, of the request's
/// tenant (Contoso) and of another tenant (Northwind), for the MSP operator (their cells run on a Contoso request and
/// again on a Northwind one), and for nobody signed in. The handler-level matrix is
/// <see cref="RequestAuthorizationMatrixTests"/>; this one proves the services ask it, and that a refusal changes nothing.
/// </summary>
[Trait(TestPasses.Category, TestPasses.SqliteOnly)]
public sealed class RequestServiceAuthorizationMatrixTests
{
    private static readonly (string Who, Cell Expected)[] InternalStage =
    [
        (Cast.Manager, Allowed), (Cast.Engineer, Forbidden), (Cast.Approver1, Forbidden), (Cast.ContosoAdminNotApprover, Forbidden),
        (Cast.ContosoOfficer, Forbidden), (Cast.Operator, Forbidden),
    ];

    private static readonly (string Who, Cell Expected)[] CustomerStage =
    [
        (Cast.Approver1, Allowed), (Cast.Engineer, Forbidden), (Cast.Manager, Forbidden), (Cast.ContosoAdminNotApprover, Forbidden),
        (Cast.ContosoOfficer, Forbidden), (Cast.Operator, Allowed),
    ];

    private static readonly (string Who, Cell Expected)[] Viewers =
    [
        (Cast.Engineer, Allowed), (Cast.Manager, Allowed), (Cast.Approver1, Allowed), (Cast.ContosoAdminNotApprover, Allowed), (Cast.ContosoOfficer, Allowed),
        (Cast.Operator, Allowed),
    ];

    /// <summary>Every TenantAdmin may open the customer queue and its tenant filter; it holds what they may decide.</summary>
    private static readonly (string Who, Cell Expected)[] CustomerQueueReaders =
    [
        (Cast.Approver1, Allowed), (Cast.ContosoAdminNotApprover, Allowed), (Cast.NorthwindApprover, Allowed), (Cast.Operator, Allowed),
    ];

    private static IEnumerable<(string Operation, string Who, Cell Expected)> Rows() =>
    [
        .. ServiceMatrix.Rows("File", Forbidden, (Cast.Engineer, Allowed), (Cast.Engineer2, Allowed)),
        .. ServiceMatrix.Rows("ListFileableTenants", Forbidden, (Cast.Engineer, Allowed), (Cast.Engineer2, Allowed)),
        .. ServiceMatrix.Rows("ListMine", Forbidden, (Cast.Engineer, Allowed), (Cast.Engineer2, Allowed)),
        .. ServiceMatrix.Rows("ListVisible", Allowed),
        .. ServiceMatrix.Rows("ListInternalQueue", Forbidden, (Cast.Manager, Allowed)),
        .. ServiceMatrix.Rows("ListCustomerQueue", Nothing, CustomerQueueReaders),
        .. ServiceMatrix.Rows("ListDecidableTenants", Nothing, CustomerQueueReaders),
        .. ServiceMatrix.Rows("Get", Nothing, Viewers),
        .. ServiceMatrix.Rows("DecideInternal", NotFound, InternalStage),
        .. ServiceMatrix.Rows("DecideCustomer", NotFound, CustomerStage),
        .. ServiceMatrix.Rows("Decide@PendingInternal", NotFound, InternalStage),

        // A manager deciding once the internal stage is behind the request is told "already decided" (rule 6), as the
        // loser of a race is; this row said Forbidden before issue 20.
        .. ServiceMatrix.Rows("Decide@PendingCustomer", NotFound, [.. CustomerStage.Where(c => c.Who != Cast.Manager), (Cast.Manager, AlreadyDecided)]),

        // Whoever may decide the stage the request is at asks its engineer; the engineer alone answers.
        .. ServiceMatrix.Rows("AskQuestion@PendingInternal", NotFound, InternalStage),
        .. ServiceMatrix.Rows("AskQuestion@PendingCustomer", NotFound, CustomerStage),
        .. ServiceMatrix.Rows("AnswerQuestion", NotFound,
            (Cast.Engineer, Allowed), (Cast.Manager, Forbidden), (Cast.Approver1, Forbidden), (Cast.ContosoAdminNotApprover, Forbidden),
            (Cast.ContosoOfficer, Forbidden), (Cast.Operator, Forbidden)),
        .. ServiceMatrix.Rows("Cancel", NotFound,
            (Cast.Engineer, Allowed), (Cast.Manager, Forbidden), (Cast.Approver1, Forbidden), (Cast.ContosoAdminNotApprover, Forbidden),
            (Cast.ContosoOfficer, Forbidden), (Cast.Operator, Forbidden)),
        .. ServiceMatrix.Rows("FileExtension", NotFound,
            (Cast.Engineer, Allowed), (Cast.Manager, Forbidden), (Cast.Approver1, Forbidden), (Cast.ContosoAdminNotApprover, Forbidden),
            (Cast.ContosoOfficer, Forbidden), (Cast.Operator, Forbidden)),
    ];

    public static TheoryData<string, string, Cell> Matrix() => ServiceMatrix.Theory(Rows());

    [Fact]
    public void Matrix_HasAllowedAndRefusedRowsForEveryOperation() => ServiceMatrix.AssertAllowedAndRefusedRowsForEachOperation(Rows().Where(r => r.Operation != "ListVisible"));

    [Fact]
    public void UnknownCollectionOperation_Throws()
    {
        var user = new ActingUser(new Actor("someone", "Someone"), Features.Tenants.MembershipSet.Empty);

        Assert.Throws<InvalidOperationException>(() => RequestCollectionAuthorizationHandler.IsAllowed(
            new OperationAuthorizationRequirement { Name = "Delete" }, new RequestCollectionResource(user)));
    }

    [Theory]
    [MemberData(nameof(Matrix))]
    public Task Operation_IsAllowedOrRefusedAsTheMatrixSays(string operation, string who, Cell expected) =>
        ServiceMatrix.RunInEachTenantAsync(operation, who, expected, PrepareAsync);

    private static async Task<Func<ClaimsPrincipal, Task<object?>>> AnswerAsync(AccessRequestService requests, Guid id)
    {
        var asked = await requests.AskAsync(ServiceHarness.Manager, id, "Which folders?");
        return async who => await requests.AnswerAsync(who, id, asked.Id, "Inbox and Calendar.");
    }

    /// <summary>Sets up what the operation needs (as the cast's engineer, in <paramref name="tenant"/>) and returns it, ready to run as anyone.</summary>
    private static async Task<Func<ClaimsPrincipal, Task<object?>>> PrepareAsync(ServiceHarness h, string operation, Guid tenant)
    {
        var requests = h.Requests;
        switch (operation)
        {
            case "File":
                return async who => await requests.FileAsync(who, h.ValidInput(tenant));
            case "ListFileableTenants":
                return async who => await requests.ListFileableTenantsAsync(who);
            case "ListMine":
                await requests.FileAsync(ServiceHarness.Engineer, h.ValidInput(tenant));
                return async who => await requests.ListMineAsync(who);
            case "ListVisible":
                await requests.FileAsync(ServiceHarness.Engineer, h.ValidInput(tenant));
                return async who => (await requests.ListVisibleAsync(who, new RequestListFilter(null, null, null, 0, 50))).Rows;
            case "ListInternalQueue":
                await requests.FileAsync(ServiceHarness.Engineer, h.ValidInput(tenant));
                return async who => await requests.ListInternalQueueAsync(who);
            case "ListCustomerQueue":
                await h.PendingCustomerAsync(tenant);
                return async who => await requests.ListCustomerQueueAsync(who);
            case "ListDecidableTenants":
                return async who => await requests.ListDecidableTenantsAsync(who);
        }

        var id = operation switch
        {
            "DecideCustomer" or "Decide@PendingCustomer" or "AskQuestion@PendingCustomer" => (await h.PendingCustomerAsync(tenant)).Id,
            "FileExtension" => (await h.ApprovedAsync(tenant)).Id,
            _ => (await requests.FileAsync(ServiceHarness.Engineer, h.ValidInput(tenant))).Id,
        };
        return operation switch
        {
            "Get" => async who => await requests.GetAsync(who, id),
            "DecideInternal" => async who => await requests.DecideInternalAsync(who, id, approve: true, "ok"),
            "DecideCustomer" => async who => await requests.DecideCustomerAsync(who, id, approve: true, "ok"),
            "Decide@PendingInternal" or "Decide@PendingCustomer" => async who => await requests.DecideAsync(who, id, approve: true, "ok"),
            "Cancel" => async who => await requests.CancelAsync(who, id),
            "FileExtension" => async who => await requests.FileExtensionAsync(who, id, TimeSpan.FromHours(1), "The migration needs another hour."),
            "AskQuestion@PendingInternal" or "AskQuestion@PendingCustomer" => async who => await requests.AskAsync(who, id, "Which folders?"),
            "AnswerQuestion" => await AnswerAsync(requests, id),
            _ => throw new ArgumentOutOfRangeException(nameof(operation), operation, null),
        };
    }
}
