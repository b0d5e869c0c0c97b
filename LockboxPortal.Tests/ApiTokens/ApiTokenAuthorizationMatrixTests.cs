using System.Security.Claims;
using LockboxPortal.Authorization;
using LockboxPortal.Features.ApiTokens;
using LockboxPortal.Tests.Infrastructure;
using Microsoft.AspNetCore.Authorization.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using static LockboxPortal.Tests.Infrastructure.Cell;

namespace LockboxPortal.Tests.ApiTokens;

/// <summary>
/// Every operation of <see cref="ApiTokenService"/>, for each role of the provider and of the tenants, and for nobody
/// signed in: personal tokens are their owner's alone, service clients the ProviderAdmin's.
/// </summary>
[Trait(TestPasses.Category, TestPasses.SqliteOnly)]
public sealed class ApiTokenAuthorizationMatrixTests
{
    private static IEnumerable<(string Operation, string Who, Cell Expected)> Rows() =>
    [
        .. ServiceMatrix.Rows("CreatePersonal", Allowed),
        .. ServiceMatrix.Rows("ListMine", Allowed),
        .. ServiceMatrix.Rows("CreateServiceClient", Forbidden, (Cast.Admin, Allowed)),
        .. ServiceMatrix.Rows("ListServiceClients", Nothing, (Cast.Admin, Allowed)),
        .. ServiceMatrix.Rows("RevokeEngineersToken", NotFound, (Cast.Engineer, Allowed)),
        .. ServiceMatrix.Rows("RevokeServiceClient", NotFound, (Cast.Admin, Allowed)),
    ];

    public static TheoryData<string, string, Cell> Matrix() => ServiceMatrix.Theory(Rows());

    [Fact]
    public void Matrix_HasAllowedAndRefusedRowsForEveryOperation() =>
        ServiceMatrix.AssertAllowedAndRefusedRowsForEachOperation(Rows().Where(r => r.Operation is not ("CreatePersonal" or "ListMine")));

    [Fact]
    public void UnknownOperation_Throws()
    {
        var user = new ActingUser(new Actor("someone", "Someone"), Features.Tenants.MembershipSet.Empty);

        Assert.Throws<InvalidOperationException>(() => ApiTokenAuthorizationHandler.IsAllowed(
            new OperationAuthorizationRequirement { Name = "Rotate" }, new ApiTokenResource(user)));
    }

    [Theory]
    [MemberData(nameof(Matrix))]
    public Task Operation_IsAllowedOrRefusedAsTheMatrixSays(string operation, string who, Cell expected) =>
        ServiceMatrix.RunAsync(operation, who, expected, PrepareAsync);

    private static async Task<Func<ClaimsPrincipal, Task<object?>>> PrepareAsync(ServiceHarness harness, string operation)
    {
        var tokens = harness.Services.GetRequiredService<ApiTokenService>();
        var personal = await tokens.CreatePersonalAsync(ServiceHarness.Engineer, "engineer's laptop", 30);
        var client = await tokens.CreateServiceClientAsync(ServiceHarness.As(Cast.Admin), "data plane");
        return operation switch
        {
            "CreatePersonal" => async p => await tokens.CreatePersonalAsync(p, "mine", 7),
            "ListMine" => async p => await tokens.ListMineAsync(p),
            "CreateServiceClient" => async p => await tokens.CreateServiceClientAsync(p, "another plane"),
            "ListServiceClients" => async p => await tokens.ListServiceClientsAsync(p),
            "RevokeEngineersToken" => async p =>
            {
                await tokens.RevokeAsync(p, personal.View.Id);
                return null;
            },
            "RevokeServiceClient" => async p =>
            {
                await tokens.RevokeAsync(p, client.View.Id);
                return null;
            },
            _ => throw new ArgumentOutOfRangeException(nameof(operation), operation, null),
        };
    }
}
