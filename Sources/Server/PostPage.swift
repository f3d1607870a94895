import Foundation
import Shopping

/// A creator's or community's post as a read-only page (`/posts/{id}`), where a Shopping card's
/// reason links: the title, the author, the text, the sponsored label and the tagged products with
/// their pictures and catalogue prices. Rendered here, every catalogue string escaped, so the
/// page needs no script.
enum PostPage {
    static func html(_ detail: PostDetail, brands: [String: String]) -> String {
        let post = detail.post
        let date = ISO8601DateFormatter.string(from: Date(timeIntervalSince1970: Double(post.createdMs) / 1000),
                                               timeZone: TimeZone(identifier: "UTC") ?? .current, formatOptions: [.withFullDate])
        let products = detail.products.map { product in
            let brand = brands[product.brandId].map { "<span class=\"product-brand muted\">\(HTML.escaped($0))</span>" } ?? ""
            let stock = product.stock > 0 ? "" : "<span class=\"muted\">Out of stock</span>"
            return """
                <li class="product"><img class="product-image" src="\(pictureURL(product.id))" alt="\(HTML.escaped(product.title))" \
                width="96" height="96"><div class="product-body"><span class="product-title">\(HTML.escaped(product.title))</span>\
                \(brand)<span class="product-price">\(HTML.escaped(product.formattedPrice))</span>\(stock)</div></li>
                """
        }.joined(separator: "\n")
        let sponsored = post.sponsored ? "<p><span class=\"sponsored\">Sponsored</span> Paid partnership</p>" : ""
        return """
            <!doctype html>
            <html lang="en">
            <head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(HTML.escaped(post.title)) · Muse Spark</title><link rel="stylesheet" href="/app.css"></head>
            <body class="post-page"><main class="page">
            <p><a href="/">← Back to Muse</a></p>
            <article>
            <h1>\(HTML.escaped(post.title))</h1>
            <p class="muted">By <span class="post-author">\(HTML.escaped(detail.author))</span> · <time datetime="\(date)">\(date)</time></p>
            \(sponsored)
            <p class="post-body">\(HTML.escaped(post.body))</p>
            <h2>Tagged products</h2>
            <ul class="products">
            \(products.isEmpty ? "<li class=\"muted\">None of its products are in the catalogue now.</li>" : products)
            </ul>
            </article>
            </main></body></html>
            """
    }

    /// Where the page and the cards get a product's picture (`ProductPicture`).
    static func pictureURL(_ productId: String) -> String {
        "/shopping/products/\(pathSegment(productId))/picture.svg"
    }

    /// An id as one URL path segment: anything but unreserved characters is percent-encoded.
    static func pathSegment(_ id: String) -> String {
        id.addingPercentEncoding(withAllowedCharacters: unreserved) ?? ""
    }

    static var unreserved: CharacterSet { CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~") }
}

/// Text for HTML and SVG: the five XML specials escaped, so catalogue or user text is never markup.
enum HTML {
    static func escaped(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(character)
            }
        }
        return out
    }
}
