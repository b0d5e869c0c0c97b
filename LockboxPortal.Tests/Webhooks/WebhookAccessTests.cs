using LockboxPortal.Authorization;
using LockboxPortal.Features.Audit;
using LockboxPortal.Features.Tenants;
using LockboxPortal.Features.Webhooks;
using LockboxPortal.Tests.Infrastructure;
using Microsoft.AspNetCore.Authorization.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace LockboxPortal.Tests.Webhooks;

/// <summary>Who keeps which webhooks: a tenant's officers its own, the provider's admins the provider's; nobody another's. Bad input changes nothing.</summary>
public sealed class WebhookAccessTests
{
    private const string Url = "https://hooks.example.com/lockbox";

    private const string Operator = "operator";

    [Fact]
    public async Task ACrossTenantOfficer_CannotListSeeOrChangeAnotherTenantsEndpoints()
    {
        await using var harness = await ServiceHarness.CreateAsync();
        var webhooks = harness.Services.GetRequiredService<WebhookService>();
        var contoso = await webhooks.CreateAsync(ServiceHarness.ContosoOfficer, harness.Contoso, new WebhookInput(WebhookKind.Standard, Url, ["AccessRequest.Filed"]));
        var northwindOfficer = ServiceHarness.As(Cast.NorthwindOfficer);
        var id = contoso.Endpoint.Id;

        // Told "not found", exactly as for an id that does not exist.
        await Assert.ThrowsAsync<NotFoundException>(() => webhooks.ListAsync(northwindOfficer, harness.Contoso));
        await Assert.ThrowsAsync<NotFoundException>(() => webhooks.CreateAsync(northwindOfficer, harness.Contoso, new WebhookInput(WebhookKind.Standard, Url, ["AccessRequest.Filed"])));
        await Assert.ThrowsAsync<NotFoundException>(() => webhooks.DeliveriesAsync(northwindOfficer, id));
        await Assert.ThrowsAsync<NotFoundException>(() => webhooks.DeleteAsync(northwindOfficer, id));
        await Assert.ThrowsAsync<NotFoundException>(() => webhooks.EnableAsync(northwindOfficer, id));
        await Assert.ThrowsAsync<NotFoundException>(() => webhooks.DeliveriesAsync(northwindOfficer, Guid.NewGuid()));
        Assert.Equal([harness.Northwind], (await webhooks.ListOwnersAsync(northwindOfficer)).Select(o => o.TenantId!.Value));
        Assert.Empty(await webhooks.ListAsync(northwindOfficer, harness.Northwind));

        // Neither the provider's admin nor a Contoso approver keeps Contoso's; the officer keeps none of the provider's.
        await Assert.ThrowsAsync<NotFoundException>(() => webhooks.ListAsync(ServiceHarness.As(Cast.Admin), harness.Contoso));
        await Assert.ThrowsAsync<NotFoundException>(() => webhooks.DeleteAsync(ServiceHarness.As(Cast.Admin), id));
        await Assert.ThrowsAsync<NotFoundException>(() => webhooks.ListAsync(ServiceHarness.Approver1, harness.Contoso));
        await Assert.ThrowsAsync<NotFoundException>(() => webhooks.ListAsync(ServiceHarness.ContosoOfficer, null));
        await Assert.ThrowsAsync<ForbiddenException>(() => webhooks.ListOwnersAsync(ServiceHarness.Approver1));

        // Each refusal is in the trail; the endpoint is untouched and its owner still sees it.
        Assert.Contains(await harness.AuditAsync(id), e => e.EventType == AuditEventType.Operation_Refused);
        Assert.Equal([id], (await webhooks.ListAsync(ServiceHarness.ContosoOfficer, harness.Contoso)).Select(e => e.Id));
        await webhooks.DeleteAsync(ServiceHarness.ContosoOfficer, id);
        Assert.Empty(await webhooks.ListAsync(ServiceHarness.ContosoOfficer, harness.Contoso));
        Assert.Equal(
            [AuditEventType.Webhook_EndpointCreated, AuditEventType.Webhook_EndpointDeleted],
            (await harness.AuditAsync(id)).Where(e => e.EventType != AuditEventType.Operation_Refused).Select(e => e.EventType));
    }

    [Theory]
    [InlineData("")]
    [InlineData("hooks.example.com/lockbox")]
    [InlineData("/relative")]
    [InlineData("ftp://hooks.example.com/x")]
    [InlineData("javascript:alert(1)")]
    [InlineData("https://user:pass@hooks.example.com/x")]
    public async Task AnAddressThatIsNotAbsoluteHttp_IsRefusedWithAMessage_AndNothingIsWritten(string url)
    {
        await using var harness = await ServiceHarness.CreateAsync();
        var webhooks = harness.Services.GetRequiredService<WebhookService>();

        var refused = await Assert.ThrowsAsync<InvalidInputException>(() =>
            webhooks.CreateAsync(ServiceHarness.ContosoOfficer, harness.Contoso, new WebhookInput(WebhookKind.Standard, url, ["AccessRequest.Filed"])));

        Assert.True(refused.Errors.ContainsKey("Url"));
        Assert.Empty(await webhooks.ListAsync(ServiceHarness.ContosoOfficer, harness.Contoso));
        await using var db = harness.NewContext();
        Assert.False(await db.AuditEntries.AnyAsync(e => e.EventType == AuditEventType.Webhook_EndpointCreated));
    }

    [Theory]
    [InlineData("http://169.254.169.254/latest/meta-data/")]
    [InlineData("http://127.0.0.1:8080/hook")]
    [InlineData("http://localhost/hook")]
    [InlineData("http://[::1]/hook")]
    [InlineData("https://10.1.2.3/hook")]
    [InlineData("https://192.168.0.10/hook")]
    [InlineData("http://[::ffff:172.16.0.1]/hook")]
    [InlineData("http://[fd00::1]/hook")]
    public async Task APrivateOrLocalAddress_IsRefusedWithAMessage_UnlessTheOperatorAllowsPrivateNetworks(string url)
    {
        await using var harness = await ServiceHarness.CreateAsync();
        var webhooks = harness.Services.GetRequiredService<WebhookService>();

        var refused = await Assert.ThrowsAsync<InvalidInputException>(() =>
            webhooks.CreateAsync(ServiceHarness.ContosoOfficer, harness.Contoso, new WebhookInput(WebhookKind.Standard, url, ["AccessRequest.Filed"])));

        Assert.Equal([WebhookNetwork.RefusedMessage], refused.Errors["Url"]);
        Assert.Empty(await webhooks.ListAsync(ServiceHarness.ContosoOfficer, harness.Contoso));

        await using var inside = await ServiceHarness.CreateAsync(s => s.Configure<WebhookSettings>(o => o.AllowPrivateNetworks = true));
        var allowed = await inside.Services.GetRequiredService<WebhookService>().CreateAsync(
            ServiceHarness.ContosoOfficer, inside.Contoso, new WebhookInput(WebhookKind.Standard, url, ["AccessRequest.Filed"]));
        Assert.Equal(new Uri(url), new Uri(allowed.Endpoint.Url));
    }

    [Theory]
    [InlineData("8.8.8.8", true)]
    [InlineData("2606:4700:4700::1111", true)]
    [InlineData("100.64.0.1", false)]
    [InlineData("0.0.0.0", false)]
    [InlineData("::", false)]
    [InlineData("fe80::1", false)]
    [InlineData("::ffff:127.0.0.1", false)]
    [InlineData("224.0.0.1", false)]
    public void OnlyPublicAddresses_CountAsPublic(string address, bool isPublic) =>
        Assert.Equal(isPublic, WebhookNetwork.IsPublic(System.Net.IPAddress.Parse(address)));

    [Fact]
    public async Task NoOrUnknownEventTypes_AreRefusedWithAMessage()
    {
        await using var harness = await ServiceHarness.CreateAsync();
        var webhooks = harness.Services.GetRequiredService<WebhookService>();

        var none = await Assert.ThrowsAsync<InvalidInputException>(() =>
            webhooks.CreateAsync(ServiceHarness.ContosoOfficer, harness.Contoso, new WebhookInput(WebhookKind.Standard, Url, [])));
        var unknown = await Assert.ThrowsAsync<InvalidInputException>(() =>
            webhooks.CreateAsync(ServiceHarness.ContosoOfficer, harness.Contoso, new WebhookInput(WebhookKind.Standard, Url, ["Everything"])));

        // What was done under a grant stays on the grant's page: no endpoint may ask to hear every check counted.
        var activity = await Assert.ThrowsAsync<InvalidInputException>(() =>
            webhooks.CreateAsync(ServiceHarness.ContosoOfficer, harness.Contoso, new WebhookInput(WebhookKind.Standard, Url, ["AccessRequest.ChecksCounted"])));

        Assert.True(none.Errors.ContainsKey("EventTypes"));
        Assert.True(unknown.Errors.ContainsKey("EventTypes"));
        Assert.True(activity.Errors.ContainsKey("EventTypes"));
        Assert.Empty(await webhooks.ListAsync(ServiceHarness.ContosoOfficer, harness.Contoso));
    }

    public static TheoryData<string, PortalRole, string, string, bool> Matrix() => new()
    {
        // who, role, whose (own tenant / other tenant / provider), operation, allowed
        { "officer", PortalRole.SecurityOfficer, "own", nameof(WebhookOperations.ListEndpoints), true },
        { "officer", PortalRole.SecurityOfficer, "own", nameof(WebhookOperations.CreateEndpoint), true },
        { "officer", PortalRole.SecurityOfficer, "own endpoint", nameof(WebhookOperations.ChangeEndpoint), true },
        { "officer", PortalRole.SecurityOfficer, "own endpoint", nameof(WebhookOperations.ViewDeliveries), true },
        { "officer", PortalRole.SecurityOfficer, "other", nameof(WebhookOperations.ListEndpoints), false },
        { "officer", PortalRole.SecurityOfficer, "other endpoint", nameof(WebhookOperations.ChangeEndpoint), false },
        { "officer", PortalRole.SecurityOfficer, "other endpoint", nameof(WebhookOperations.ViewDeliveries), false },
        { "officer", PortalRole.SecurityOfficer, "provider", nameof(WebhookOperations.ListEndpoints), false },
        { "tenant admin", PortalRole.TenantAdmin, "own", nameof(WebhookOperations.ListEndpoints), false },
        { "tenant admin", PortalRole.TenantAdmin, "own endpoint", nameof(WebhookOperations.ChangeEndpoint), false },
        { "provider admin", PortalRole.ProviderAdmin, "provider", nameof(WebhookOperations.ListEndpoints), true },
        { "provider admin", PortalRole.ProviderAdmin, "provider", nameof(WebhookOperations.CreateEndpoint), true },
        { "provider admin", PortalRole.ProviderAdmin, "provider endpoint", nameof(WebhookOperations.ChangeEndpoint), true },
        { "provider admin", PortalRole.ProviderAdmin, "own", nameof(WebhookOperations.ListEndpoints), false },
        { "provider admin", PortalRole.ProviderAdmin, "own endpoint", nameof(WebhookOperations.ViewDeliveries), false },
        { "engineer", PortalRole.Engineer, "provider", nameof(WebhookOperations.ListEndpoints), false },
        { "manager", PortalRole.EngineeringManager, "provider endpoint", nameof(WebhookOperations.ChangeEndpoint), false },

        // The MSP operator: a TenantAdmin of both tenants ("other" is theirs too), an officer of neither.
        { Operator, PortalRole.TenantAdmin, "own", nameof(WebhookOperations.ListEndpoints), false },
        { Operator, PortalRole.TenantAdmin, "own endpoint", nameof(WebhookOperations.ChangeEndpoint), false },
        { Operator, PortalRole.TenantAdmin, "other", nameof(WebhookOperations.CreateEndpoint), false },
        { Operator, PortalRole.TenantAdmin, "other endpoint", nameof(WebhookOperations.ViewDeliveries), false },
        { Operator, PortalRole.TenantAdmin, "provider", nameof(WebhookOperations.ListEndpoints), false },
    };

    [Theory]
    [MemberData(nameof(Matrix))]
    public void TheRule_AllowsExactlyTheOwner(string who, PortalRole role, string whose, string operation, bool allowed)
    {
        var own = Guid.NewGuid();
        var other = Guid.NewGuid();
        var membership = new Membership(who, role is PortalRole.SecurityOfficer or PortalRole.TenantAdmin ? own : null, role);
        Membership[] memberships = who == Operator ? [membership, new Membership(who, other, role)] : [membership];
        var user = new ActingUser(new Actor(who, who), new MembershipSet(memberships));
        Guid? owner = whose.StartsWith("own") ? own : whose.StartsWith("other") ? other : null;
        var resource = whose.EndsWith("endpoint")
            ? WebhookResource.Of(user, Guid.NewGuid(), new WebhookEndpoint(Guid.NewGuid(), owner, WebhookKind.Standard, new Uri(Url), ["AccessRequest.Filed"], "x", new Actor("a", "a"), DateTimeOffset.UnixEpoch))
            : WebhookResource.EndpointsOf(user, owner, found: true);

        Assert.Equal(allowed, WebhookAuthorizationHandler.IsAllowed(new OperationAuthorizationRequirement { Name = operation }, resource));
    }

    [Fact]
    public void AnUnknownOperation_Throws() =>
        Assert.Throws<InvalidOperationException>(() => WebhookAuthorizationHandler.IsAllowed(
            new OperationAuthorizationRequirement { Name = "Nonsense" },
            WebhookResource.EndpointsOf(new ActingUser(new Actor("a", "a"), MembershipSet.Empty), null, true)));
}
