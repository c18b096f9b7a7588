import Hummingbird
import SentinelCore

/// Whether a request may reach an endpoint.
enum Admission {
    case admitted(EndpointSnapshot, AccessTokenGrant?)
    case refused(Response)

    /// The response of a refused admission (only read after matching `.admitted` failed).
    var refusal: Response {
        switch self {
        case .refused(let response): response
        case .admitted: Response(status: .internalServerError)
        }
    }
}
