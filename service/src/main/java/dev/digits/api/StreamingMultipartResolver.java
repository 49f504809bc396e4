package dev.digits.api;

import java.io.ByteArrayInputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import jakarta.servlet.http.HttpServletRequest;
import org.apache.commons.fileupload2.core.DiskFileItem;
import org.apache.commons.fileupload2.core.DiskFileItemFactory;
import org.apache.commons.fileupload2.core.FileItemInput;
import org.apache.commons.fileupload2.core.FileItemInputIterator;
import org.apache.commons.fileupload2.core.FileUploadException;
import org.apache.commons.fileupload2.core.FileUploadSizeException;
import org.apache.commons.fileupload2.jakarta.servlet6.JakartaServletFileUpload;
import org.springframework.stereotype.Component;
import org.springframework.util.FileCopyUtils;
import org.springframework.util.LinkedMultiValueMap;
import org.springframework.util.MultiValueMap;
import org.springframework.web.multipart.MaxUploadSizeExceededException;
import org.springframework.web.multipart.MultipartException;
import org.springframework.web.multipart.MultipartFile;
import org.springframework.web.multipart.MultipartHttpServletRequest;
import org.springframework.web.multipart.MultipartResolver;
import org.springframework.web.multipart.support.DefaultMultipartHttpServletRequest;

/**
 * Parses multipart bodies from the request's own input stream, streaming, into memory.
 * <p>
 * Tomcat's multipart parsing (Spring's standard resolver) reads the body from the
 * connector's buffers, past any wrapper of the stream, so {@link RequestBodyLimitFilter}
 * could neither reserve an upload's budget as its bytes arrived nor hold it to the
 * minimum body rate: two sockets declaring 32 MB multipart bodies and sending a byte now
 * and then took the whole in-flight budget for as long as they liked. Parsed here, from
 * the stream that filter wraps, an upload is treated like any other body: it holds the
 * budget it has sent, and one slower than the minimum rate is cut with 408.
 * <p>
 * Limits: each file at most {@link ApiProperties#maxImageSize()}, the body at most
 * {@link ApiProperties#maxMultipartSize()}, at most a batch's images and
 * {@value #EXTRA_PARTS} more parts, part headers at most {@value #MAX_PART_HEADER_BYTES}
 * bytes. Parts stay in memory (the body budget bounds them), never on disk.
 */
@Component("multipartResolver")
class StreamingMultipartResolver implements MultipartResolver {

	/** Parts a request may carry beyond a batch's images (form fields). */
	static final int EXTRA_PARTS = 8;

	/** Longest headers one part may have (a file name is in them). */
	static final int MAX_PART_HEADER_BYTES = 2048;

	private final ApiProperties properties;

	/** The largest first buffer a part is read into (it doubles from there). */
	static final int PART_START = 16 * 1024;

	StreamingMultipartResolver(ApiProperties properties) {
		this.properties = properties;
	}

	@Override
	public boolean isMultipart(HttpServletRequest request) {
		String type = request.getContentType();
		return type != null && type.toLowerCase(Locale.ROOT).startsWith("multipart/");
	}

	@Override
	public MultipartHttpServletRequest resolveMultipart(HttpServletRequest request) throws MultipartException {
		JakartaServletFileUpload<DiskFileItem, DiskFileItemFactory> upload = new JakartaServletFileUpload<>();
		upload.setMaxSize(properties.maxMultipartSize().toBytes());
		upload.setMaxFileSize(properties.maxImageSize().toBytes());
		upload.setMaxPartHeaderSize(MAX_PART_HEADER_BYTES);
		upload.setHeaderCharset(StandardCharsets.UTF_8);
		MultiValueMap<String, MultipartFile> files = new LinkedMultiValueMap<>();
		Map<String, List<String>> fields = new LinkedHashMap<>();
		Map<String, String> fieldTypes = new LinkedHashMap<>();
		try {
			parse(upload, request, files, fields, fieldTypes);
		}
		catch (MultipartException ex) {
			throw RequestBodyLimitFilter.failure(request)
				.<MultipartException>map((failure) -> new MultipartException(failure.getMessage(), failure))
				.orElse(ex);
		}
		RequestBodyLimitFilter.failure(request).ifPresent((failure) -> {
			throw new MultipartException(failure.getMessage(), failure);
		});
		Map<String, String[]> parameters = new LinkedHashMap<>();
		fields.forEach((name, values) -> parameters.put(name, values.toArray(String[]::new)));
		return new DefaultMultipartHttpServletRequest(request, files, parameters, fieldTypes);
	}

	/**
	 * Reads every part. What the body's stream throws may come back wrapped, or not at
	 * all (the parser takes a failed read before the first boundary for an empty body),
	 * so the caller asks the stream itself afterwards.
	 */
	private void parse(JakartaServletFileUpload<DiskFileItem, DiskFileItemFactory> upload, HttpServletRequest request,
			MultiValueMap<String, MultipartFile> files, Map<String, List<String>> fields,
			Map<String, String> fieldTypes) {
		try {
			FileItemInputIterator parts = upload.getItemIterator(request);
			int count = 0;
			while (parts.hasNext()) {
				// counted here: FileUpload's own file count holds in parseRequest only,
				// not
				// while streaming (32 MB of tiny parts made hundreds of thousands of
				// objects; found by StreamingMultipartResolverFuzzTests)
				if (++count > properties.maxBatchImages() + EXTRA_PARTS) {
					throw new TooManyPartsException(properties.maxBatchImages());
				}
				FileItemInput part = parts.next();
				byte[] content;
				try (InputStream in = part.getInputStream()) {
					// a part is at most the body: its length, up to PART_START, sizes the
					// first buffer
					content = BodyBytes.read(in, request.getContentLengthLong(),
							properties.maxMultipartSize().toBytes(), PART_START);
				}
				if (part.isFormField()) {
					fields.computeIfAbsent(part.getFieldName(), (name) -> new ArrayList<>())
						.add(new String(content, StandardCharsets.UTF_8));
					fieldTypes.put(part.getFieldName(), part.getContentType());
				}
				else {
					files.add(part.getFieldName(),
							new Part(part.getFieldName(), part.getName(), part.getContentType(), content));
				}
			}
		}
		catch (FileUploadSizeException ex) {
			// a file over its limit, or the whole body
			throw new MaxUploadSizeExceededException(ex.getPermitted(), ex);
		}
		catch (FileUploadException ex) {
			throw new MultipartException("the multipart body could not be parsed", ex);
		}
		catch (MultipartException ex) {
			throw ex;
		}
		catch (RuntimeException ex) {
			// FileUpload's own checks of what a part declares: a file name holding a NUL
			// is an InvalidPathException (found by StreamingMultipartResolverFuzzTests)
			throw new MultipartException("the multipart body is malformed", ex);
		}
		catch (IOException ex) {
			// the stream's own refusals (too slow, over budget, client gone) and
			// malformed
			// bodies; ProblemHandler tells them apart from the cause
			throw new MultipartException("the multipart body could not be read", ex);
		}
	}

	@Override
	public void cleanupMultipart(MultipartHttpServletRequest request) {
		// parts are held in memory only
	}

	/** More parts than a batch's images and a few fields. */
	static final class TooManyPartsException extends MultipartException {

		TooManyPartsException(int maxBatchImages) {
			super("The multipart body has too many parts; a batch takes at most " + maxBatchImages + " images.");
		}

	}

	/** One uploaded file, held in memory. */
	private record Part(String name, String originalFilename, String contentType,
			byte[] content) implements MultipartFile {

		@Override
		public String getName() {
			return name;
		}

		@Override
		public String getOriginalFilename() {
			return originalFilename;
		}

		@Override
		public String getContentType() {
			return contentType;
		}

		@Override
		public boolean isEmpty() {
			return content.length == 0;
		}

		@Override
		public long getSize() {
			return content.length;
		}

		@Override
		public byte[] getBytes() {
			return content;
		}

		@Override
		public InputStream getInputStream() {
			return new ByteArrayInputStream(content);
		}

		@Override
		public void transferTo(File destination) throws IOException {
			FileCopyUtils.copy(content, destination);
		}

	}

}
