using System.Net;
using LockboxPortal.Features.AccessRequests;
using LockboxPortal.Hosting;
using LockboxPortal.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace LockboxPortal.Tests.AccessRequests.Live;

/// <summary>The SignalR hub at /hubs/lockbox, against the real app on a real port.</summary>
public sealed class LockboxHubTests : IAsyncLifetime
{
    private readonly TempFolder _folder = new();
    private PortalFactory _factory = default!;
    private string _baseUrl = "";

    public Task InitializeAsync()
    {
        _factory = new PortalFactory(_folder.File("lockbox.db"), realPort: true);
        _baseUrl = _factory.StartOnRealPort();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _factory.DisposeAsync();
        _folder.Dispose();
    }

    [Fact]
    public async Task NorthwindClient_NeverReceivesAContosoEvent_WhileContosoClientsDo()
    {
        await using var northwind = await LiveHubClient.ConnectAsync(_baseUrl, "approver@northwind.test");
        await using var contoso = await LiveHubClient.ConnectAsync(_baseUrl, "approver2@contoso.test");

        var contosoRequest = await FileAndPassInternalAsync(DemoData.ContosoId, "Exchange:mailbox/ana@contoso.com");
        await contoso.WaitForAsync(m => m.RequestId == contosoRequest.Id && m.Kind == nameof(RequestEventKind.InternalApproved));

        // The relay sends events in order, so once Northwind hears its own later event, any Contoso event would have come first.
        var northwindRequest = await FileAndPassInternalAsync(DemoData.NorthwindId, "Sql:database/invoices");
        await northwind.WaitForAsync(m => m.RequestId == northwindRequest.Id && m.Kind == nameof(RequestEventKind.InternalApproved));

        Assert.NotEmpty(northwind.Received);
        Assert.All(northwind.Received, m => Assert.Equal(DemoData.NorthwindId, m.TenantId));
        Assert.DoesNotContain(contoso.Received, m => m.TenantId == DemoData.NorthwindId);
        Assert.Contains(contoso.Received, m => m.RequestId == contosoRequest.Id && m.Kind == nameof(RequestEventKind.Filed));
    }

    [Fact]
    public async Task AnonymousClient_CannotConnect()
    {
        await using var anonymous = LiveHubClient.Connect(_baseUrl, cookies: null);

        var refused = await Assert.ThrowsAsync<HttpRequestException>(() => anonymous.StartAsync());

        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
    }

    private async Task<AccessRequest> FileAndPassInternalAsync(Guid tenant, string scope)
    {
        await using var scope_ = _factory.Services.CreateAsyncScope();
        var requests = scope_.ServiceProvider.GetRequiredService<AccessRequestService>();
        var filed = await requests.FileAsync(await LiveHubClient.PrincipalOfAsync(_factory, "engineer@fabrikam.test"),
            new FileRequestInput(tenant, scope, AccessLevel.Read, "Checking a reported problem for the customer.", null, null, Reason: RequestReason.Maintenance));
        return await requests.DecideInternalAsync(await LiveHubClient.PrincipalOfAsync(_factory, "manager@fabrikam.test"), filed.Id, approve: true, null);
    }
}
