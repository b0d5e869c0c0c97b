using System.Security.Claims;
using System.Text.Json;
using LockboxPortal.Authorization;
using LockboxPortal.Features.Audit;
using LockboxPortal.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace LockboxPortal.Tests.Audit;

/// <summary>Nobody reads, exports or verifies a chain that is not theirs through the service; each attempt is recorded.</summary>
public sealed class AuditIsolationTests
{
    private static readonly ClaimsPrincipal NorthwindOfficer = ServiceHarness.As(Cast.NorthwindOfficer);

    public static TheoryData<string> Operations => ["read", "export", "verify"];

    private static Task Attempt(ServiceHarness harness, string operation, ClaimsPrincipal who, Guid? tenantId)
    {
        var audit = harness.Services.GetRequiredService<AuditService>();
        return operation switch
        {
            "read" => audit.QueryAsync(who, new AuditQuery(tenantId), new AuditPageRequest()),
            "export" => audit.StartExportAsync(who, new AuditQuery(tenantId), AuditExportFormat.Json),
            "verify" => audit.VerifyAsync(who, tenantId),
            _ => throw new ArgumentOutOfRangeException(nameof(operation)),
        };
    }

    [Theory]
    [MemberData(nameof(Operations))]
    public async Task NorthwindOfficer_CannotTouchContosoTrail_AndTheAttemptIsRecordedForContoso(string operation)
    {
        await using var harness = await ServiceHarness.CreateAsync();
        await AuditTestData.AppendAsync(harness, harness.Contoso, 2);

        await Assert.ThrowsAsync<NotFoundException>(() => Attempt(harness, operation, NorthwindOfficer, harness.Contoso));

        var entries = await harness.AuditAsync();
        var refusal = entries[^1];
        Assert.Equal((harness.Contoso, 3L, AuditEventType.Operation_Refused, Cast.NorthwindOfficer, "AuditTrail", harness.Contoso.ToString()),
            (refusal.ChainId, refusal.Sequence, refusal.EventType, refusal.ActorId, refusal.SubjectType, refusal.SubjectId));
        using var details = JsonDocument.Parse(refusal.DetailsJson);
        Assert.Equal("not-found", details.RootElement.GetProperty("reason").GetString());
        Assert.DoesNotContain(entries, e => e.ChainId == harness.Northwind);
    }

    [Theory]
    [MemberData(nameof(Operations))]
    public async Task NorthwindOfficer_MayTouchNorthwindTrail(string operation)
    {
        await using var harness = await ServiceHarness.CreateAsync();
        await AuditTestData.AppendAsync(harness, harness.Northwind, 2);

        await Attempt(harness, operation, NorthwindOfficer, harness.Northwind);

        Assert.DoesNotContain(await harness.AuditAsync(), e => e.EventType == AuditEventType.Operation_Refused);
    }

    [Theory]
    [MemberData(nameof(Operations))]
    public async Task TenantAdminOfContoso_IsForbiddenContosoTrail(string operation)
    {
        await using var harness = await ServiceHarness.CreateAsync();

        await Assert.ThrowsAsync<ForbiddenException>(() => Attempt(harness, operation, ServiceHarness.Approver1, harness.Contoso));

        var refusal = Assert.Single(await harness.AuditAsync());
        Assert.Equal((harness.Contoso, AuditEventType.Operation_Refused), (refusal.ChainId, refusal.EventType));
        Assert.Contains("forbidden", refusal.DetailsJson);
    }

    [Theory]
    [MemberData(nameof(Operations))]
    public async Task ContosoOfficer_IsForbiddenTheProviderTrail(string operation)
    {
        await using var harness = await ServiceHarness.CreateAsync();

        await Assert.ThrowsAsync<ForbiddenException>(() => Attempt(harness, operation, ServiceHarness.ContosoOfficer, null));

        Assert.Equal(AuditEntry.ProviderChain, Assert.Single(await harness.AuditAsync()).ChainId);
    }

    [Theory]
    [MemberData(nameof(Operations))]
    public async Task ProviderAdmin_CannotTouchATenantsTrail(string operation)
    {
        await using var harness = await ServiceHarness.CreateAsync();

        await Assert.ThrowsAsync<NotFoundException>(() => Attempt(harness, operation, ServiceHarness.As(Cast.Admin), harness.Contoso));
    }

    [Fact]
    public async Task GuessedTenantId_IsNotFound_AndRecordedInTheProviderChainWithoutStartingAChain()
    {
        await using var harness = await ServiceHarness.CreateAsync();
        var guessed = Guid.NewGuid();

        await Assert.ThrowsAsync<NotFoundException>(() => Attempt(harness, "read", ServiceHarness.ContosoOfficer, guessed));

        var refusal = Assert.Single(await harness.AuditAsync());
        Assert.Equal((AuditEntry.ProviderChain, guessed.ToString()), (refusal.ChainId, refusal.SubjectId));
        await using var db = harness.NewContext();
        Assert.False(await db.AuditEntries.AnyAsync(e => e.ChainId == guessed));
    }
}
