using System.Security.Claims;
using LockboxPortal.Features.Audit;
using LockboxPortal.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using static LockboxPortal.Tests.Infrastructure.Cell;

namespace LockboxPortal.Tests.Audit;

/// <summary>
/// Every operation of <see cref="AuditService"/> on Contoso's chain and on the provider's, for each role of the provider,
/// of Contoso, of Northwind, for the MSP operator (a TenantAdmin of both), and for nobody signed in. The handler-level matrix is <see cref="AuditAuthorizationMatrixTests"/>.
/// </summary>
[Trait(TestPasses.Category, TestPasses.SqliteOnly)]
public sealed class AuditServiceAuthorizationMatrixTests
{
    // Contoso's own people learn the chain exists and are told no; everyone else is told there is no such chain.
    private static readonly (string Who, Cell Expected)[] ContosoChain =
        [(Cast.ContosoOfficer, Allowed), (Cast.Approver1, Forbidden), (Cast.ContosoAdminNotApprover, Forbidden), (Cast.Operator, Forbidden)];

    private static IEnumerable<(string Operation, string Who, Cell Expected)> Rows() =>
    [
        .. ServiceMatrix.Rows("ReadContoso", NotFound, ContosoChain),
        .. ServiceMatrix.Rows("ExportContoso", NotFound, ContosoChain),
        .. ServiceMatrix.Rows("VerifyContoso", NotFound, ContosoChain),
        .. ServiceMatrix.Rows("ReadProvider", Forbidden, (Cast.Admin, Allowed)),
        .. ServiceMatrix.Rows("ExportProvider", Forbidden, (Cast.Admin, Allowed)),
        .. ServiceMatrix.Rows("VerifyProvider", Forbidden, (Cast.Admin, Allowed)),
        .. ServiceMatrix.Rows("ListReadableChains", Nothing, (Cast.Admin, Allowed), (Cast.ContosoOfficer, Allowed), (Cast.NorthwindOfficer, Allowed)),
        .. ServiceMatrix.Rows("RequestTimeline", Nothing,
            (Cast.Engineer, Allowed), (Cast.Manager, Allowed), (Cast.Approver1, Allowed), (Cast.ContosoAdminNotApprover, Allowed),
            (Cast.ContosoOfficer, Allowed), (Cast.Operator, Allowed)),
    ];

    public static TheoryData<string, string, Cell> Matrix() => ServiceMatrix.Theory(Rows());

    [Fact]
    public void Matrix_HasAllowedAndRefusedRowsForEveryOperation() => ServiceMatrix.AssertAllowedAndRefusedRowsForEachOperation(Rows());

    [Theory]
    [MemberData(nameof(Matrix))]
    public Task Operation_IsAllowedOrRefusedAsTheMatrixSays(string operation, string who, Cell expected) =>
        ServiceMatrix.RunAsync(operation, who, expected, PrepareAsync);

    private static async Task<Func<ClaimsPrincipal, Task<object?>>> PrepareAsync(ServiceHarness harness, string operation)
    {
        var requestId = (await harness.PendingCustomerAsync()).Id;
        var audit = harness.Services.GetRequiredService<AuditService>();
        Guid? chain = operation.EndsWith("Contoso", StringComparison.Ordinal) ? harness.Contoso : null;
        return operation switch
        {
            "ReadContoso" or "ReadProvider" => async p => await audit.QueryAsync(p, new AuditQuery(chain), new AuditPageRequest()),
            "ExportContoso" or "ExportProvider" => async p => await audit.StartExportAsync(p, new AuditQuery(chain), AuditExportFormat.Json),
            "VerifyContoso" or "VerifyProvider" => async p => await audit.VerifyAsync(p, chain),
            "ListReadableChains" => async p => await audit.ListReadableChainsAsync(p),
            "RequestTimeline" => async p => await audit.RequestTimelineAsync(p, requestId),
            _ => throw new ArgumentOutOfRangeException(nameof(operation), operation, null),
        };
    }
}
