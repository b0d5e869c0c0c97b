using LockboxPortal.Features.Audit;
using LockboxPortal.Features.Tenants;
using LockboxPortal.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace LockboxPortal.Tests.Tenants.Entra;

/// <summary>How a validated token from an Entra directory maps onto tenants, people and roles (real SQLite, no web host).</summary>
public sealed class DirectorySignInTests : IAsyncLifetime
{
    private static readonly Guid ProviderDirectoryId = Guid.NewGuid();
    private static readonly Guid ContosoDirectory = Guid.NewGuid();
    private static readonly Guid NorthwindDirectory = Guid.NewGuid();

    private ServiceHarness _harness = default!;

    private DirectorySignIn Directory => _harness.Services.GetRequiredService<DirectorySignIn>();

    public async Task InitializeAsync()
    {
        _harness = await ServiceHarness.CreateAsync(services => services.AddSingleton(new ProviderDirectory(ProviderDirectoryId)));
        await _harness.Tenants().ChangeDirectoryAsync(AdminHarness.ProviderAdmin, _harness.Contoso, ContosoDirectory.ToString());
        await _harness.Tenants().ChangeDirectoryAsync(AdminHarness.ProviderAdmin, _harness.Northwind, NorthwindDirectory.ToString());
    }

    public async Task DisposeAsync() => await _harness.DisposeAsync();

    [Fact]
    public async Task APerson_IsFoundByObjectIdAndDirectory_NotByEmail()
    {
        var oid = Guid.NewGuid().ToString();
        var first = await Directory.SignInAsync(Person(ContosoDirectory, oid, "erin@contoso.example", "Lockbox.TenantAdmin"), null);
        var renamed = await Directory.SignInAsync(Person(ContosoDirectory, oid, "erin.new@contoso.example", "Lockbox.TenantAdmin"), null);

        Assert.Equal(DirectorySignInOutcome.SignedIn, renamed.Outcome);
        Assert.Equal(first.User!.Id, renamed.User!.Id);

        // The same object id in another directory is somebody else.
        var elsewhere = await Directory.SignInAsync(Person(NorthwindDirectory, oid, "erin@northwind.example", "Lockbox.TenantAdmin"), null);
        Assert.NotEqual(first.User.Id, elsewhere.User!.Id);
        await using var db = _harness.NewContext();
        Assert.Equal([_harness.Northwind], await db.Memberships.Where(m => m.UserId == elsewhere.User.Id).Select(m => m.TenantId!.Value).ToListAsync());
    }

    [Fact]
    public async Task AFirstSignIn_WithTheEmailOfALocalAccount_IsRefused_AndJoinsNothing()
    {
        var localId = await _harness.InviteAndAcceptAsync(AdminHarness.ProviderAdmin, "frank@fabrikam.test", null, PortalRole.Engineer);

        var result = await Directory.SignInAsync(Person(ContosoDirectory, Guid.NewGuid().ToString(), "FRANK@fabrikam.test", "Lockbox.SecurityOfficer"), null);

        Assert.Equal(DirectorySignInOutcome.EmailTaken, result.Outcome);
        await using var db = _harness.NewContext();
        Assert.False(await db.UserLogins.AnyAsync());
        Assert.False(await db.Memberships.AnyAsync(m => m.UserId == localId && m.TenantId == _harness.Contoso));
        var refused = Assert.Single(await _harness.AuditAsync(), e => e.EventType == AuditEventType.EntraSignIn_Refused);
        Assert.Equal(_harness.Contoso, refused.TenantId);
        Assert.Contains("EmailTaken", refused.DetailsJson, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheProvidersDirectory_GivesProviderRolesOnly_AndACustomersDirectory_TenantRolesOnly()
    {
        string[] everything = ["Lockbox.Engineer", "Lockbox.EngineeringManager", "Lockbox.ProviderAdmin", "Lockbox.TenantAdmin", "Lockbox.SecurityOfficer", "Lockbox.Unknown", "Other"];
        var staff = await Directory.SignInAsync(Person(ProviderDirectoryId, Guid.NewGuid().ToString(), "gina@fabrikam.example", everything), null);
        var customer = await Directory.SignInAsync(Person(ContosoDirectory, Guid.NewGuid().ToString(), "hal@contoso.example", everything), null);

        await using var db = _harness.NewContext();
        var staffRoles = await db.Memberships.Where(m => m.UserId == staff.User!.Id).ToListAsync();
        Assert.All(staffRoles, m => Assert.Null(m.TenantId));
        Assert.Equal([PortalRole.Engineer, PortalRole.EngineeringManager, PortalRole.ProviderAdmin], staffRoles.Select(m => m.Role).Order());
        var customerRoles = await db.Memberships.Where(m => m.UserId == customer.User!.Id).ToListAsync();
        Assert.All(customerRoles, m => Assert.Equal(_harness.Contoso, m.TenantId));
        Assert.Equal([PortalRole.TenantAdmin, PortalRole.SecurityOfficer], customerRoles.Select(m => m.Role).Order());
    }

    [Fact]
    public async Task EachRoleChange_IsAuditedOnce_AndASignInThatChangesNothing_RecordsOnlyTheSignIn()
    {
        var oid = Guid.NewGuid().ToString();
        var person = await Directory.SignInAsync(Person(ContosoDirectory, oid, "ivy@contoso.example", "Lockbox.TenantAdmin"), null);
        await Directory.SignInAsync(Person(ContosoDirectory, oid, "ivy@contoso.example", "Lockbox.TenantAdmin"), null);
        await Directory.SignInAsync(Person(ContosoDirectory, oid, "ivy@contoso.example", "Lockbox.SecurityOfficer"), null);

        var entries = (await _harness.AuditAsync()).Where(e => e.SubjectId == person.User!.Id).Select(e => (e.EventType, e.DetailsJson)).ToList();
        Assert.Equal(
            [AuditEventType.EntraPerson_Created, AuditEventType.Membership_Granted, AuditEventType.EntraSignIn_Succeeded,
             AuditEventType.EntraSignIn_Succeeded,
             AuditEventType.Membership_Granted, AuditEventType.Membership_Removed, AuditEventType.EntraSignIn_Succeeded],
            entries.Select(e => e.EventType));
        Assert.Contains("SecurityOfficer", entries[4].DetailsJson, StringComparison.Ordinal);
        Assert.Contains("TenantAdmin", entries[5].DetailsJson, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ADeactivatedPerson_OrTenant_IsRefused_AndRecorded()
    {
        var oid = Guid.NewGuid().ToString();
        var person = await Directory.SignInAsync(Person(ContosoDirectory, oid, "jo@contoso.example", "Lockbox.TenantAdmin"), null);
        await using (var db = _harness.NewContext())
        {
            (await db.Users.SingleAsync(u => u.Id == person.User!.Id)).IsActive = false;
            await db.SaveChangesAsync();
        }

        Assert.Equal(DirectorySignInOutcome.AccountInactive, (await Directory.SignInAsync(Person(ContosoDirectory, oid, "jo@contoso.example", "Lockbox.TenantAdmin"), null)).Outcome);
        await _harness.Tenants().DeactivateAsync(AdminHarness.ProviderAdmin, _harness.Northwind);
        Assert.Equal(DirectorySignInOutcome.TenantInactive,
            (await Directory.SignInAsync(Person(NorthwindDirectory, Guid.NewGuid().ToString(), "kim@northwind.example", "Lockbox.TenantAdmin"), null)).Outcome);
        Assert.Equal(2, (await _harness.AuditAsync()).Count(e => e.EventType == AuditEventType.EntraSignIn_Refused));
    }

    [Theory]
    [InlineData("not-a-guid")]
    [InlineData("00000000-0000-0000-0000-000000000000")]
    [InlineData("provider")]
    [InlineData("northwind")]
    public async Task ADirectoryThatCannotBeMapped_IsRefusedWithAMessage_AndChangesNothing(string input)
    {
        var value = input switch
        {
            "provider" => ProviderDirectoryId.ToString(),
            "northwind" => NorthwindDirectory.ToString(),
            _ => input,
        };
        var before = (await _harness.AuditAsync()).Count;

        var refused = await Assert.ThrowsAsync<InvalidInputException>(() => _harness.Tenants().ChangeDirectoryAsync(AdminHarness.ProviderAdmin, _harness.Contoso, value));

        Assert.Contains(nameof(Tenant.EntraTenantId), refused.Errors.Keys);
        await using var db = _harness.NewContext();
        Assert.Equal(ContosoDirectory, (await db.Tenants.SingleAsync(t => t.Id == _harness.Contoso)).EntraTenantId);
        Assert.Equal(before, (await _harness.AuditAsync()).Count);
    }

    [Fact]
    public async Task TheProviderAdmin_ChangesATenantsDirectory_Audited_AndNobodyElseMay()
    {
        var next = Guid.NewGuid();
        await _harness.Tenants().ChangeDirectoryAsync(AdminHarness.ProviderAdmin, _harness.Contoso, $"  {next}  ");

        var changed = Assert.Single(await _harness.AuditAsync(), e => e.EventType == AuditEventType.Tenant_DirectoryChanged && e.DetailsJson.Contains(next.ToString(), StringComparison.Ordinal));
        Assert.Equal((_harness.Contoso, Cast.Admin), (changed.TenantId!.Value, changed.ActorId));
        Assert.Contains(ContosoDirectory.ToString(), changed.DetailsJson, StringComparison.Ordinal);
        await Assert.ThrowsAsync<ForbiddenException>(() =>
            _harness.Tenants().ChangeDirectoryAsync(ServiceHarness.As(Cast.ContosoOfficer), _harness.Contoso, Guid.NewGuid().ToString()));

        await _harness.Tenants().ChangeDirectoryAsync(AdminHarness.ProviderAdmin, _harness.Contoso, "");
        var unknown = await Directory.SignInAsync(Person(next, Guid.NewGuid().ToString(), "lee@contoso.example", "Lockbox.TenantAdmin"), null);
        Assert.Equal(DirectorySignInOutcome.UnknownDirectory, unknown.Outcome);
    }

    private static DirectoryIdentity Person(Guid directory, string oid, string email, params string[] roles) =>
        new(directory, oid, email.Split('@')[0], email, roles);
}
