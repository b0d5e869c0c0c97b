using System.Security.Claims;
using LockboxPortal.Authorization;
using LockboxPortal.Data;
using LockboxPortal.Features.AccessRequests;
using LockboxPortal.Features.Approvers;
using LockboxPortal.Features.Audit;
using LockboxPortal.Features.Grants;
using LockboxPortal.Features.Tenants;
using LockboxPortal.Hosting;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Authorization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace LockboxPortal.Tests.Infrastructure;

/// <summary>
/// The service layer over a real SQLite file (in the PostgreSQL run, a database of its own: <see cref="TestDatabase"/>)
/// with every migration applied, a fake clock, and a small cast:
/// two tenants (Contoso, Northwind), engineers, a manager, approvers and officers.
/// </summary>
public sealed class ServiceHarness : IAsyncDisposable
{
    public static readonly DateTimeOffset Start = new(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);

    private readonly TempFolder _folder = new();
    private readonly ServiceProvider _services;

    private ServiceHarness(Action<IServiceCollection>? replace, bool sqliteOnly)
    {
        DatabaseSettings = TestDatabase.SettingsFor(DatabasePath, sqliteOnly);
        _services = BuildProvider(DatabasePath, Time, replace, sqliteOnly);
    }

    /// <summary>
    /// The app's feature services over a SQLite file, without the web host; one provider is one app instance.
    /// <paramref name="replace"/> runs last, so a test can put its own implementation of a seam in place.
    /// </summary>
    internal static ServiceProvider BuildProvider(string databasePath, TimeProvider time, Action<IServiceCollection>? replace = null, bool sqliteOnly = false)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(TestDatabase.SettingsFor(databasePath, sqliteOnly))
            .AddInMemoryCollection(TestCertificate.Settings())
            .Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton(time);
        services.AddLockboxDatabase(configuration, new TestEnvironment(Path.GetDirectoryName(databasePath)!));
        services.AddAuthorizationCore(options => LockboxPortal.Authorization.Policies.AddLockboxPolicies(options));
        services.AddLockboxAccounts();
        services.AddLockboxFeatures();
        replace?.Invoke(services);
        return services.BuildServiceProvider();
    }

    public WatchedTime Time { get; } = new(Start);

    public string DatabasePath => _folder.File("lockbox.db");

    /// <summary>The database settings the services run with, for a host over the same database.</summary>
    public IReadOnlyDictionary<string, string?> DatabaseSettings { get; }

    public Guid Contoso { get; } = Guid.NewGuid();

    public Guid Northwind { get; } = Guid.NewGuid();

    public IServiceProvider Services => _services;

    public AccessRequestService Requests => _services.GetRequiredService<AccessRequestService>();

    public GrantService Grants => _services.GetRequiredService<GrantService>();

    public DeadlineTimer Timer => _services.GetRequiredService<DeadlineTimer>();

    public RequestNotifier Notifier => _services.GetRequiredService<RequestNotifier>();

    public ApproverListService ApproverList => _services.GetRequiredService<ApproverListService>();

    public ApproverListQueries ApproverQueries => _services.GetRequiredService<ApproverListQueries>();

    public DelegationService Delegations => _services.GetRequiredService<DelegationService>();

    public DelegationQueries DelegationQueries => _services.GetRequiredService<DelegationQueries>();

    public static async Task<ServiceHarness> CreateAsync(Action<IServiceCollection>? replace = null) =>
        await CreateAsync(replace, sqliteOnly: false);

    /// <summary>On SQLite in either run: for a test about the SQLite file itself (its pragmas, its errors).</summary>
    public static Task<ServiceHarness> CreateSqliteAsync(Action<IServiceCollection>? replace = null) => CreateAsync(replace, sqliteOnly: true);

    private static async Task<ServiceHarness> CreateAsync(Action<IServiceCollection>? replace, bool sqliteOnly)
    {
        var harness = new ServiceHarness(replace, sqliteOnly);
        await harness._services.MigrateLockboxDatabaseAsync();
        await harness.SeedAsync();
        return harness;
    }

    public LockboxDbContext NewContext() => _services.GetRequiredService<IDbContextFactory<LockboxDbContext>>().CreateDbContext();

    /// <summary>A signed-in principal for a cast member, as the cookie would carry it.</summary>
    public static ClaimsPrincipal As(string userId) =>
        new(new ClaimsIdentity([new Claim(ClaimTypes.NameIdentifier, userId)], "Test"));

    /// <summary>A principal whose sign-in was proven with a second factor (Identity's <c>amr=mfa</c>).</summary>
    public static ClaimsPrincipal WithSecondFactor(string userId) =>
        new(new ClaimsIdentity(
            [new Claim(ClaimTypes.NameIdentifier, userId), new Claim(ActingUser.AuthenticationMethodClaim, ActingUser.MultiFactor)], "Test"));

    public static readonly ClaimsPrincipal Engineer = As(Cast.Engineer);
    public static readonly ClaimsPrincipal Engineer2 = As(Cast.Engineer2);
    public static readonly ClaimsPrincipal Manager = As(Cast.Manager);
    public static readonly ClaimsPrincipal Approver1 = As(Cast.Approver1);
    public static readonly ClaimsPrincipal Approver2 = As(Cast.Approver2);
    public static readonly ClaimsPrincipal Approver3 = As(Cast.Approver3);
    public static readonly ClaimsPrincipal ContosoOfficer = As(Cast.ContosoOfficer);
    public static readonly ClaimsPrincipal NorthwindApprover = As(Cast.NorthwindApprover);
    public static readonly ClaimsPrincipal Operator = As(Cast.Operator);

    public FileRequestInput ValidInput(Guid? tenant = null, string scope = "Exchange:mailbox/ana@contoso.com", AccessLevel level = AccessLevel.Read) =>
        new(tenant ?? Contoso, scope, level, "Customer reports missing calendar items.", "SR-1", TimeSpan.FromHours(4), Reason: RequestReason.CustomerSupport);

    /// <summary>Files as the engineer and has the manager approve the internal stage.</summary>
    public async Task<AccessRequest> PendingCustomerAsync(Guid? tenant = null, string scope = "Exchange:mailbox/ana@contoso.com", AccessLevel level = AccessLevel.Read)
    {
        var filed = await Requests.FileAsync(Engineer, ValidInput(tenant, scope, level));
        return await Requests.DecideInternalAsync(Manager, filed.Id, approve: true, "ok");
    }

    public async Task<AccessRequest> ApprovedAsync(Guid? tenant = null, string scope = "Exchange:mailbox/ana@contoso.com", AccessLevel level = AccessLevel.Read)
    {
        var pending = await PendingCustomerAsync(tenant, scope, level);
        var approver = tenant == Northwind ? NorthwindApprover : Approver1;
        return await Requests.DecideCustomerAsync(approver, pending.Id, approve: true, "go ahead");
    }

    public async Task<List<AuditEntry>> AuditAsync(Guid? subjectId = null)
    {
        await using var db = NewContext();
        var query = db.AuditEntries.AsNoTracking();
        if (subjectId is { } id)
        {
            query = query.Where(e => e.SubjectId == id.ToString());
        }

        return await query.OrderBy(e => e.Id).ToListAsync();
    }

    public async Task<TenantPolicy> PolicyOfAsync(Guid tenantId)
    {
        await using var db = NewContext();
        return await db.Tenants.Where(t => t.Id == tenantId).Select(t => t.Policy).SingleAsync();
    }

    public async Task SetPolicyAsync(Guid tenantId, Func<TenantPolicy, TenantPolicy> change)
    {
        await using var db = NewContext();
        var tenant = await db.Tenants.SingleAsync(t => t.Id == tenantId);
        tenant.ChangePolicy(change(tenant.Policy));
        await db.SaveChangesAsync();
    }

    /// <summary>
    /// Adds the MSP operator (<see cref="Cast.Operator"/>): a TenantAdmin of Contoso and of Northwind, on both approver
    /// lists. Not in every harness's cast: one more approver in each tenant changes what quorum and offboarding tests count.
    /// </summary>
    public async Task AddOperatorAsync()
    {
        await using var db = NewContext();
        db.Users.Add(new PortalUser { Id = Cast.Operator, UserName = Cast.Operator, Email = $"{Cast.Operator}@test", DisplayName = Cast.Operator });
        foreach (var tenant in new[] { Contoso, Northwind })
        {
            db.Memberships.Add(new Membership(Cast.Operator, tenant, PortalRole.TenantAdmin));
            db.ApproverListEntries.Add(new ApproverListEntry(tenant, Cast.Operator, Start));
        }

        await db.SaveChangesAsync();
    }

    private async Task SeedAsync()
    {
        await using var db = NewContext();
        db.Tenants.Add(new Tenant(Contoso, "Contoso", "contoso", Start));
        db.Tenants.Add(new Tenant(Northwind, "Northwind", "northwind", Start));
        (string Id, Guid? Tenant, PortalRole Role, bool Approver)[] cast =
        [
            (Cast.Engineer, null, PortalRole.Engineer, false),
            (Cast.Engineer2, null, PortalRole.Engineer, false),
            (Cast.Manager, null, PortalRole.EngineeringManager, false),
            (Cast.Admin, null, PortalRole.ProviderAdmin, false),
            (Cast.Approver1, Contoso, PortalRole.TenantAdmin, true),
            (Cast.Approver2, Contoso, PortalRole.TenantAdmin, true),
            (Cast.Approver3, Contoso, PortalRole.TenantAdmin, true),
            (Cast.ContosoAdminNotApprover, Contoso, PortalRole.TenantAdmin, false),
            (Cast.ContosoOfficer, Contoso, PortalRole.SecurityOfficer, false),
            (Cast.NorthwindApprover, Northwind, PortalRole.TenantAdmin, true),
            (Cast.NorthwindOfficer, Northwind, PortalRole.SecurityOfficer, false),
        ];
        foreach (var (id, tenant, role, approver) in cast)
        {
            db.Users.Add(new PortalUser { Id = id, UserName = id, Email = $"{id}@test", DisplayName = id });
            db.Memberships.Add(new Membership(id, tenant, role));
            if (approver)
            {
                db.ApproverListEntries.Add(new ApproverListEntry(tenant!.Value, id, Start));
            }
        }

        await db.SaveChangesAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await _services.DisposeAsync();
        _folder.Dispose();
    }

    private sealed class TestEnvironment(string root) : IHostEnvironment
    {
        public string EnvironmentName { get; set; } = "Test";

        public string ApplicationName { get; set; } = "LockboxPortal";

        public string ContentRootPath { get; set; } = root;

        public IFileProvider ContentRootFileProvider { get; set; } = new NullFileProvider();
    }
}

/// <summary>User ids of the harness's cast.</summary>
public static class Cast
{
    public const string Engineer = "engineer";
    public const string Engineer2 = "engineer2";
    public const string Manager = "manager";
    public const string Admin = "provider-admin";
    public const string Approver1 = "approver1";
    public const string Approver2 = "approver2";
    public const string Approver3 = "approver3";
    public const string ContosoAdminNotApprover = "contoso-admin";
    public const string ContosoOfficer = "contoso-officer";
    public const string NorthwindApprover = "northwind-approver";
    public const string NorthwindOfficer = "northwind-officer";

    /// <summary>Seeded by <see cref="ServiceHarness.AddOperatorAsync"/> only.</summary>
    public const string Operator = "msp-operator";
}
