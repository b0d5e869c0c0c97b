using System.Security.Claims;
using LockboxPortal.Features.Approvers;
using LockboxPortal.Features.Tenants;
using LockboxPortal.Tests.Infrastructure;
using static LockboxPortal.Tests.Infrastructure.AuthorizationMatrix;

namespace LockboxPortal.Tests.Approvers;

/// <summary>
/// Every approver-list, policy and delegation operation, through the services, for each role (both kinds of
/// TenantAdmin and a delegate among them) on their own tenant (Contoso), on another (Northwind), and signed out; the
/// MSP operator is a member of both. Allowed cells succeed; refused cells are refused, recorded, and change nothing.
/// </summary>
[Trait(TestPasses.Category, TestPasses.SqliteOnly)]
public sealed class ApproverAuthorizationMatrixTests
{
    private const string ViewApprovers = nameof(ViewApprovers);
    private const string AddApprover = nameof(AddApprover);
    private const string RemoveApprover = nameof(RemoveApprover);
    private const string ChangePolicy = nameof(ChangePolicy);
    private const string CreateOwnDelegation = nameof(CreateOwnDelegation);
    private const string CreateDelegationFor = nameof(CreateDelegationFor);
    private const string RevokeDelegation = nameof(RevokeDelegation);
    private const string ListOfficerTenants = nameof(ListOfficerTenants);
    private const string ListDelegationOptions = nameof(ListDelegationOptions);
    private const string ListDelegations = nameof(ListDelegations);

    private const string Contoso = nameof(Contoso);
    private const string Northwind = nameof(Northwind);

    /// <summary>The tenant-independent lists; their allowed answers must hold nothing of a tenant the person is not in.</summary>
    private const string AnyTenant = "any";

    private static readonly string[] TenantOperations = [ViewApprovers, AddApprover, RemoveApprover, ChangePolicy, CreateOwnDelegation, CreateDelegationFor, RevokeDelegation];
    private static readonly string[] ListOperations = [ListOfficerTenants, ListDelegationOptions, ListDelegations];
    private static readonly string[] Commands = [AddApprover, RemoveApprover, ChangePolicy, CreateOwnDelegation, CreateDelegationFor, RevokeDelegation];

    /// <summary>Written out by hand from DESIGN.md. A cell not listed is refused: not found outside the tenant, otherwise forbidden.</summary>
    private static readonly IReadOnlyDictionary<(string Actor, string Tenant), string[]> Allowed = new Dictionary<(string, string), string[]>
    {
        [(Cast.ContosoOfficer, Contoso)] = [ViewApprovers, AddApprover, RemoveApprover, ChangePolicy, CreateDelegationFor, RevokeDelegation],
        [(Cast.Approver1, Contoso)] = [CreateOwnDelegation, RevokeDelegation],
        [(ContosoDelegate, Contoso)] = [RevokeDelegation],
        [(Cast.Operator, Contoso)] = [CreateOwnDelegation],
        [(Cast.Operator, Northwind)] = [CreateOwnDelegation],
        [(Cast.ContosoOfficer, AnyTenant)] = [ListOfficerTenants, ListDelegationOptions, ListDelegations],
        [(Cast.Approver1, AnyTenant)] = [ListDelegationOptions, ListDelegations],
        [(Cast.ContosoAdminNotApprover, AnyTenant)] = [ListDelegationOptions, ListDelegations],
        [(ContosoDelegate, AnyTenant)] = [ListDelegationOptions, ListDelegations],
        [(Cast.Operator, AnyTenant)] = [ListDelegationOptions, ListDelegations],
    };

    /// <summary>Cells the person may try and a delegation rule refuses: only people on the list lend authority.</summary>
    private static readonly IReadOnlyDictionary<(string Actor, string Tenant), string[]> RuleRefused = new Dictionary<(string, string), string[]>
    {
        [(Cast.ContosoOfficer, Contoso)] = [CreateOwnDelegation], // an officer who is not an approver has nothing to lend
        [(Cast.ContosoAdminNotApprover, Contoso)] = [CreateOwnDelegation],
        [(ContosoDelegate, Contoso)] = [CreateOwnDelegation], // a delegate cannot delegate further
    };

    private static readonly string[] ContosoMembers = [Cast.Approver1, Cast.ContosoAdminNotApprover, ContosoDelegate, Cast.ContosoOfficer, Cast.Operator];

    private static readonly string[] NorthwindMembers = [Cast.Operator];

    public static TheoryData<string, string, string, Outcome> Matrix()
    {
        var data = new TheoryData<string, string, string, Outcome>();
        foreach (var actor in Actors)
        {
            foreach (var tenant in new[] { Contoso, Northwind })
            {
                foreach (var operation in TenantOperations)
                {
                    data.Add(actor, tenant, operation, Expect(actor, tenant, operation));
                }
            }

            foreach (var operation in ListOperations)
            {
                data.Add(actor, AnyTenant, operation, Expect(actor, AnyTenant, operation));
            }
        }

        return data;
    }

    private static Outcome Expect(string actor, string tenant, string operation) =>
        actor == Anonymous ? Outcome.Forbidden
        : Allowed.GetValueOrDefault((actor, tenant), []).Contains(operation) ? Outcome.Allowed
        : RuleRefused.GetValueOrDefault((actor, tenant), []).Contains(operation) ? Outcome.RuleRefused
        : tenant == AnyTenant || (tenant == Contoso ? ContosoMembers : NorthwindMembers).Contains(actor) ? Outcome.Forbidden
        : Outcome.NotFound;

    [Fact]
    public void Matrix_HasAllowedAndRefusedRowsForEveryOperation()
    {
        var rows = Matrix().Select(r => (Operation: (string)r[2], Outcome: (Outcome)r[3])).ToList();

        Assert.Equal(Actors.Length * (2 * TenantOperations.Length + ListOperations.Length), rows.Count);
        foreach (var operation in TenantOperations.Concat(ListOperations))
        {
            Assert.Contains(rows, r => r.Operation == operation && r.Outcome == Outcome.Allowed);
            Assert.Contains(rows, r => r.Operation == operation && r.Outcome != Outcome.Allowed);
        }
    }

    [Theory]
    [MemberData(nameof(Matrix))]
    public async Task Operation_DoesExactlyWhatTheMatrixSays(string actor, string tenant, string operation, Outcome expected)
    {
        await using var harness = await ServiceHarness.CreateAsync();
        var seeded = await SeedAsync(harness, actor);
        var tenantId = tenant == Northwind ? harness.Northwind : harness.Contoso;

        var answer = await AssertCellAsync(harness, actor, who => RunAsync(harness, seeded, who, operation, tenantId),
            expected, Commands.Contains(operation), $"{actor} {operation} in {tenant}");

        if (expected == Outcome.Allowed && tenant == AnyTenant && !NorthwindMembers.Contains(actor))
        {
            Assert.False(Mentions(answer, harness.Northwind), $"{actor} {operation}: shows Northwind to someone outside it");
        }
    }

    [Fact]
    public async Task AnOfficersLists_HoldTheirTenantOnly_AndAnApproverLendsOnlyTheirOwnAuthority()
    {
        await using var harness = await ServiceHarness.CreateAsync();
        await SeedAsync(harness);

        var officerTenants = await harness.ApproverQueries.ListOfficerTenantsAsync(ServiceHarness.ContosoOfficer);
        var officerOptions = Assert.Single(await harness.DelegationQueries.ListDelegationOptionsAsync(ServiceHarness.ContosoOfficer));
        var approverOptions = Assert.Single(await harness.DelegationQueries.ListDelegationOptionsAsync(ServiceHarness.Approver1));
        var offListOptions = await harness.DelegationQueries.ListDelegationOptionsAsync(ServiceHarness.As(Cast.ContosoAdminNotApprover));

        Assert.Equal([harness.Contoso], officerTenants.Select(t => t.Id));
        Assert.Equal([Cast.Approver1, Cast.Approver2, Cast.Approver3], officerOptions.Delegators.Select(d => d.UserId).Order());
        Assert.Equal([Cast.Approver1], approverOptions.Delegators.Select(d => d.UserId));
        Assert.Empty(offListOptions);
    }

    [Theory]
    [InlineData(Cast.ContosoOfficer)]
    [InlineData(Cast.Approver1)]
    [InlineData(ContosoDelegate)]
    public async Task ADelegationIsListed_AsRevocable_ToEitherSideAndTheOfficer(string actor)
    {
        await using var harness = await ServiceHarness.CreateAsync();
        var seeded = await SeedAsync(harness);

        var row = Assert.Single(await harness.DelegationQueries.ListDelegationsAsync(ServiceHarness.As(actor)));

        Assert.Equal(seeded.Contoso, row.Delegation.Id);
        Assert.True(row.CanRevoke);
        Assert.Empty(await harness.DelegationQueries.ListDelegationsAsync(ServiceHarness.As(Cast.ContosoAdminNotApprover)));
    }

    private static async Task<object?> RunAsync(ServiceHarness harness, (Guid Contoso, Guid Northwind) seeded, ClaimsPrincipal who, string operation, Guid tenant)
    {
        var inContoso = tenant == harness.Contoso;
        var offListAdmin = inContoso ? Cast.ContosoAdminNotApprover : NorthwindAdmin;
        var endsAt = harness.Time.GetUtcNow().AddDays(1);
        switch (operation)
        {
            case ViewApprovers:
                return await harness.ApproverQueries.GetTenantAsync(who, tenant);
            case AddApprover:
                await harness.ApproverList.AddApproverAsync(who, tenant, offListAdmin);
                return null;
            case RemoveApprover:
                await harness.ApproverList.RemoveApproverAsync(who, tenant, inContoso ? Cast.Approver3 : Cast.NorthwindApprover);
                return null;
            case ChangePolicy:
                return await harness.ApproverList.ChangePolicyAsync(who, tenant, TenantPolicy.Default with { PendingLifetime = TimeSpan.FromHours(24) });
            case CreateOwnDelegation:
                return await harness.Delegations.CreateDelegationAsync(who, new DelegationInput(tenant, null, offListAdmin, null, endsAt, "Away on holiday."));
            case CreateDelegationFor:
                return await harness.Delegations.CreateDelegationAsync(who,
                    new DelegationInput(tenant, inContoso ? Cast.Approver2 : Cast.NorthwindApprover, offListAdmin, null, endsAt, "Away on holiday."));
            case RevokeDelegation:
                return await harness.Delegations.RevokeDelegationAsync(who, inContoso ? seeded.Contoso : seeded.Northwind);
            case ListOfficerTenants:
                return await harness.ApproverQueries.ListOfficerTenantsAsync(who);
            case ListDelegationOptions:
                return await harness.DelegationQueries.ListDelegationOptionsAsync(who);
            case ListDelegations:
                return await harness.DelegationQueries.ListDelegationsAsync(who);
            default:
                throw new ArgumentOutOfRangeException(nameof(operation), operation, null);
        }
    }

    private static bool Mentions(object? answer, Guid tenant) => answer switch
    {
        IReadOnlyList<TenantChoice> tenants => tenants.Any(t => t.Id == tenant),
        IReadOnlyList<DelegationTenantOption> options => options.Any(o => o.TenantId == tenant),
        IReadOnlyList<DelegationRow> rows => rows.Any(r => r.Delegation.TenantId == tenant),
        _ => throw new ArgumentOutOfRangeException(nameof(answer), answer?.GetType().Name, null),
    };
}
