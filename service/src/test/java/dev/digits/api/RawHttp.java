package dev.digits.api;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** HTTP written by hand on a socket, for the requests client libraries refuse to send. */
final class RawHttp {

	private static final Pattern CONTENT_LENGTH = Pattern.compile("(?i)content-length: *(\\d+)");

	private RawHttp() {
	}

	/**
	 * Writes {@code head} and {@code body}; then closes at once if
	 * {@code closeAfterWriting}, else reads one response (headers and a Content-Length
	 * body) or whatever arrives before the server closes.
	 */
	static String exchange(int port, String head, byte[] body, boolean closeAfterWriting) throws IOException {
		try (Socket socket = new Socket("localhost", port)) {
			socket.setSoTimeout(10_000);
			OutputStream out = socket.getOutputStream();
			Runnable write = () -> {
				try {
					out.write(head.getBytes(StandardCharsets.ISO_8859_1));
					out.write(body);
					out.flush();
				}
				catch (IOException ex) {
					// the server answered and closed before reading everything: its
					// answer is read below
				}
			};
			if (closeAfterWriting || body.length <= 65536) {
				write.run();
				if (closeAfterWriting) {
					return "";
				}
			}
			else {
				// a large body is written while the answer is read: a server may answer
				// before reading it
				Thread writer = new Thread(write, "raw-http-writer");
				writer.setDaemon(true);
				writer.start();
			}
			InputStream in = socket.getInputStream();
			StringBuilder response = new StringBuilder();
			byte[] buffer = new byte[8192];
			int n;
			try {
				while ((n = in.read(buffer)) > 0) {
					response.append(new String(buffer, 0, n, StandardCharsets.ISO_8859_1));
					if (complete(response)) {
						break;
					}
				}
			}
			catch (SocketTimeoutException | SocketException ex) {
				// the server closed or stopped: what came back is the answer
			}
			return response.toString();
		}
	}

	/** The status code of a raw response, or -1. */
	static int status(String response) {
		return response.startsWith("HTTP/1.1 ") && response.length() >= 12 ? Integer.parseInt(response.substring(9, 12))
				: -1;
	}

	private static boolean complete(StringBuilder response) {
		String text = response.toString();
		int headerEnd = text.indexOf("\r\n\r\n");
		if (headerEnd < 0) {
			return false;
		}
		Matcher length = CONTENT_LENGTH.matcher(text);
		return length.find() && length.start() < headerEnd
				&& text.length() - headerEnd - 4 >= Integer.parseInt(length.group(1));
	}

}
