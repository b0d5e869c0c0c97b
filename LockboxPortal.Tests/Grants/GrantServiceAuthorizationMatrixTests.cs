using System.Security.Claims;
using LockboxPortal.Features.ApiTokens;
using LockboxPortal.Features.Grants;
using LockboxPortal.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using static LockboxPortal.Tests.Infrastructure.Cell;

namespace LockboxPortal.Tests.Grants;

/// <summary>
/// Every grant operation through <see cref="GrantService"/> and <see cref="GrantTokenService"/>, on a grant open in
/// Contoso, for each role of the provider, of Contoso, of Northwind, for the MSP operator (on a grant in Contoso and
/// again in Northwind), and for nobody signed in.
/// </summary>
[Trait(TestPasses.Category, TestPasses.SqliteOnly)]
public sealed class GrantServiceAuthorizationMatrixTests
{
    private static readonly (string Who, Cell Expected)[] RequesterOnly =
    [
        (Cast.Engineer, Allowed), (Cast.Manager, Forbidden), (Cast.Approver1, Forbidden), (Cast.ContosoAdminNotApprover, Forbidden),
        (Cast.ContosoOfficer, Forbidden), (Cast.Operator, Forbidden),
    ];

    private static IEnumerable<(string Operation, string Who, Cell Expected)> Rows() =>
    [
        .. ServiceMatrix.Rows("Revoke", NotFound,
            (Cast.Approver1, Allowed), (Cast.ContosoOfficer, Allowed), (Cast.Engineer, Forbidden), (Cast.Manager, Forbidden),
            (Cast.ContosoAdminNotApprover, Forbidden), (Cast.Operator, Allowed)),
        .. ServiceMatrix.Rows("Release", NotFound, RequesterOnly),
        .. ServiceMatrix.Rows("IssueGrantToken", NotFound, RequesterOnly),
        .. ServiceMatrix.Rows("ListMyGrants", Forbidden, (Cast.Engineer, Allowed), (Cast.Engineer2, Allowed)),
        .. ServiceMatrix.Rows("ListTenantGrants", Nothing,
            (Cast.Approver1, Allowed), (Cast.ContosoAdminNotApprover, Allowed), (Cast.ContosoOfficer, Allowed),
            (Cast.NorthwindApprover, Allowed), (Cast.NorthwindOfficer, Allowed), (Cast.Operator, Allowed)),
    ];

    public static TheoryData<string, string, Cell> Matrix() => ServiceMatrix.Theory(Rows());

    [Fact]
    public void Matrix_HasAllowedAndRefusedRowsForEveryOperation() => ServiceMatrix.AssertAllowedAndRefusedRowsForEachOperation(Rows());

    [Theory]
    [MemberData(nameof(Matrix))]
    public Task Operation_IsAllowedOrRefusedAsTheMatrixSays(string operation, string who, Cell expected) =>
        ServiceMatrix.RunInEachTenantAsync(operation, who, expected, PrepareAsync);

    private static async Task<Func<ClaimsPrincipal, Task<object?>>> PrepareAsync(ServiceHarness harness, string operation, Guid tenant)
    {
        var id = (await harness.ApprovedAsync(tenant)).Id;
        var grants = harness.Grants;
        var tokens = harness.Services.GetRequiredService<GrantTokenService>();
        return operation switch
        {
            "Revoke" => async p => await grants.RevokeAsync(p, id, "Work is finished."),
            "Release" => async p => await grants.ReleaseAsync(p, id),
            "IssueGrantToken" => async p => await tokens.IssueAsync(p, id),
            "ListMyGrants" => async p => await grants.ListMyActiveAsync(p),
            "ListTenantGrants" => async p => await grants.ListActiveForTenantsAsync(p),
            _ => throw new ArgumentOutOfRangeException(nameof(operation), operation, null),
        };
    }
}
