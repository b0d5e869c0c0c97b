using System.Security.Claims;
using LockboxPortal.Features.Tenants;
using LockboxPortal.Tests.Infrastructure;
using static LockboxPortal.Tests.Infrastructure.AuthorizationMatrix;

namespace LockboxPortal.Tests.Tenants;

/// <summary>
/// Every tenant, people and invitation operation, through the services, for each role on their own tenant (Contoso),
/// on another (Northwind), on the provider, and signed out. Allowed cells succeed; refused cells are refused,
/// recorded, and change nothing.
/// </summary>
[Trait(TestPasses.Category, TestPasses.SqliteOnly)]
public sealed class AdministrationMatrixTests
{
    private const string ListTenants = nameof(ListTenants);
    private const string CreateTenant = nameof(CreateTenant);
    private const string RenameTenant = nameof(RenameTenant);
    private const string DeactivateTenant = nameof(DeactivateTenant);
    private const string ListPeopleScopes = nameof(ListPeopleScopes);
    private const string ListOfficerPeopleScopes = nameof(ListOfficerPeopleScopes);
    private const string ListPeople = nameof(ListPeople);
    private const string GrantRole = nameof(GrantRole);
    private const string RemoveRole = nameof(RemoveRole);
    private const string RemoveFromTenant = nameof(RemoveFromTenant);
    private const string DeactivatePerson = nameof(DeactivatePerson);
    private const string Invite = nameof(Invite);
    private const string ListInvitations = nameof(ListInvitations);
    private const string RevokeInvitation = nameof(RevokeInvitation);

    private const string Contoso = nameof(Contoso);
    private const string Northwind = nameof(Northwind);
    private const string Provider = nameof(Provider);
    private const string AnyScope = "any";

    private static readonly string[] Unscoped = [ListTenants, CreateTenant, ListPeopleScopes, ListOfficerPeopleScopes];
    private static readonly string[] TenantOnly = [RenameTenant, DeactivateTenant, RemoveFromTenant];
    private static readonly string[] AnyPlace = [ListPeople, GrantRole, RemoveRole, DeactivatePerson, Invite, ListInvitations, RevokeInvitation];
    private static readonly string[] Reads = [ListTenants, ListPeopleScopes, ListOfficerPeopleScopes, ListPeople, ListInvitations];

    /// <summary>Lists whose callers have always been answered with no rows when refused (an existing test holds it).</summary>
    private static readonly string[] EmptyWhenRefused = [ListTenants, ListPeople];

    /// <summary>Written out by hand from DESIGN.md. A cell not listed is refused.</summary>
    private static readonly IReadOnlyDictionary<(string Actor, string Scope), string[]> Allowed = new Dictionary<(string, string), string[]>
    {
        [(Cast.Admin, AnyScope)] = [ListTenants, CreateTenant, ListPeopleScopes, ListOfficerPeopleScopes],
        [(Cast.Admin, Contoso)] = [RenameTenant, DeactivateTenant, ListPeople, DeactivatePerson, ListInvitations],
        [(Cast.Admin, Northwind)] = [RenameTenant, DeactivateTenant, ListPeople, DeactivatePerson, ListInvitations],
        [(Cast.Admin, Provider)] = [ListPeople, GrantRole, RemoveRole, DeactivatePerson, Invite, ListInvitations, RevokeInvitation],
        [(Cast.ContosoOfficer, AnyScope)] = [ListPeopleScopes, ListOfficerPeopleScopes],
        [(Cast.ContosoOfficer, Contoso)] = [ListPeople, GrantRole, RemoveRole, RemoveFromTenant, DeactivatePerson, Invite, ListInvitations, RevokeInvitation],
    };

    public static TheoryData<string, string, string, Outcome> Matrix()
    {
        var data = new TheoryData<string, string, string, Outcome>();
        foreach (var actor in Actors)
        {
            foreach (var operation in Unscoped)
            {
                data.Add(actor, AnyScope, operation, Expect(actor, AnyScope, operation));
            }

            foreach (var scope in new[] { Contoso, Northwind, Provider })
            {
                foreach (var operation in AnyPlace.Concat(scope == Provider ? Array.Empty<string>() : TenantOnly))
                {
                    data.Add(actor, scope, operation, Expect(actor, scope, operation));
                }
            }
        }

        return data;
    }

    private static Outcome Expect(string actor, string scope, string operation)
    {
        if (actor == Anonymous)
        {
            return Outcome.Forbidden;
        }

        var allowed = Allowed.GetValueOrDefault((actor, scope), []);
        if (allowed.Contains(operation))
        {
            return Outcome.Allowed;
        }

        // An invitation exists only for those who may list it; tenants and people are named across the portal.
        if (operation == RevokeInvitation && !allowed.Contains(ListInvitations))
        {
            return Outcome.NotFound;
        }

        return EmptyWhenRefused.Contains(operation) ? Outcome.EmptyRefused : Outcome.Forbidden;
    }

    [Fact]
    public void Matrix_HasAllowedAndRefusedRowsForEveryOperation()
    {
        var rows = Matrix().Select(r => (Operation: (string)r[2], Outcome: (Outcome)r[3])).ToList();

        Assert.Equal(Actors.Length * (Unscoped.Length + 3 * AnyPlace.Length + 2 * TenantOnly.Length), rows.Count);
        foreach (var operation in Unscoped.Concat(TenantOnly).Concat(AnyPlace))
        {
            Assert.Contains(rows, r => r.Operation == operation && r.Outcome == Outcome.Allowed);
            Assert.Contains(rows, r => r.Operation == operation && r.Outcome != Outcome.Allowed);
        }
    }

    [Theory]
    [MemberData(nameof(Matrix))]
    public async Task Operation_DoesExactlyWhatTheMatrixSays(string actor, string scope, string operation, Outcome expected)
    {
        await using var harness = await ServiceHarness.CreateAsync();
        await SeedAsync(harness, actor);
        var invitations = new Dictionary<string, Guid>
        {
            [Contoso] = (await harness.Invitations().InviteAsync(ServiceHarness.ContosoOfficer, new InviteInput("pending@contoso.test", "Pending", harness.Contoso, PortalRole.TenantAdmin))).Id,
            [Northwind] = (await harness.Invitations().InviteAsync(AdminHarness.NorthwindOfficer, new InviteInput("pending@northwind.test", "Pending", harness.Northwind, PortalRole.TenantAdmin))).Id,
            [Provider] = (await harness.Invitations().InviteAsync(AdminHarness.ProviderAdmin, new InviteInput("pending@provider.test", "Pending", null, PortalRole.Engineer))).Id,
        };
        Guid? place = scope switch { Contoso => harness.Contoso, Northwind => harness.Northwind, _ => null };

        await AssertCellAsync(harness, actor, who => RunAsync(harness, who, operation, scope, place, invitations),
            expected, !Reads.Contains(operation), $"{actor} {operation} in {scope}");
    }

    [Fact]
    public async Task WhoeverIssuedAnInvitation_MayRevokeIt_AfterTheyCouldNoLongerIssueIt()
    {
        await using var harness = await ServiceHarness.CreateAsync();
        var otherAdmin = ServiceHarness.As(await harness.InviteAndAcceptAsync(AdminHarness.ProviderAdmin, "ada2@provider.test", null, PortalRole.ProviderAdmin));
        var litware = await harness.Tenants().CreateAsync(AdminHarness.ProviderAdmin, new TenantInput("Litware", "litware", null));
        var spare = await harness.Invitations().InviteAsync(AdminHarness.ProviderAdmin, new InviteInput("spare@litware.test", "Spare", litware.Id, PortalRole.SecurityOfficer));

        // Once the tenant has an officer, the provider no longer chooses its officers.
        await harness.InviteAndAcceptAsync(AdminHarness.ProviderAdmin, "first@litware.test", litware.Id, PortalRole.SecurityOfficer);

        await AssertCellAsync(harness, otherAdmin.FindFirstValue(ClaimTypes.NameIdentifier)!,
            who => RevokeAsync(harness, who, spare.Id), Outcome.Forbidden, changes: true, "another provider admin revokes it");
        await AssertCellAsync(harness, Cast.Admin, who => RevokeAsync(harness, who, spare.Id), Outcome.Allowed, changes: true, "its issuer revokes it");
    }

    private static async Task<object?> RevokeAsync(ServiceHarness harness, ClaimsPrincipal who, Guid invitationId)
    {
        await harness.Invitations().RevokeAsync(who, invitationId);
        return null;
    }

    private static async Task<object?> RunAsync(ServiceHarness harness, ClaimsPrincipal who, string operation, string scope, Guid? place, Dictionary<string, Guid> invitations)
    {
        // Someone to act on in each place: an approver of Contoso, Northwind's off-list admin, a provider engineer.
        var person = scope switch { Contoso => Cast.Approver3, Northwind => NorthwindAdmin, _ => Cast.Engineer2 };
        var heldRole = place is null ? PortalRole.Engineer : PortalRole.TenantAdmin;
        switch (operation)
        {
            case ListTenants:
                return await harness.Tenants().ListAsync(who);
            case CreateTenant:
                return await harness.Tenants().CreateAsync(who, new TenantInput("Litware", "litware", null));
            case RenameTenant:
                return await harness.Tenants().RenameAsync(who, place!.Value, "Renamed");
            case DeactivateTenant:
                return await harness.Tenants().DeactivateAsync(who, place!.Value);
            case ListPeopleScopes:
                return await harness.People().ListScopesAsync(who);
            case ListOfficerPeopleScopes:
                return await harness.People().ListScopesAsync(who, asOfficer: true);
            case ListPeople:
                return await harness.People().ListAsync(who, place);
            case GrantRole:
                var grantee = scope switch { Contoso => Cast.ContosoAdminNotApprover, Northwind => NorthwindAdmin, _ => Cast.Engineer2 };
                await harness.People().GrantRoleAsync(who, grantee, place, place is null ? PortalRole.EngineeringManager : PortalRole.SecurityOfficer);
                return null;
            case RemoveRole:
                await harness.People().RemoveRoleAsync(who, person, place, heldRole);
                return null;
            case RemoveFromTenant:
                await harness.People().RemoveFromTenantAsync(who, person, place!.Value);
                return null;
            case DeactivatePerson:
                await harness.People().DeactivateAsync(who, person);
                return null;
            case Invite:
                return await harness.Invitations().InviteAsync(who, new InviteInput($"new@{scope.ToLowerInvariant()}.test", "New", place, heldRole));
            case ListInvitations:
                return await harness.Invitations().ListAsync(who, place);
            case RevokeInvitation:
                return await RevokeAsync(harness, who, invitations[scope]);
            default:
                throw new ArgumentOutOfRangeException(nameof(operation), operation, null);
        }
    }
}
